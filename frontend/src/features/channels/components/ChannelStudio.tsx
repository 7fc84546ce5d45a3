import { useId, useState, type FormEvent } from 'react';
import { useAction } from '../../../lib/useAction';
import { useChannelsAPI } from '../../../api/ChatAPIContext';
import type { ChannelsAPI } from '../api/channels-api';
import { newClientId } from '../../../lib/client-id';
import { useFeed, type UseFeedOptions } from '../hooks/useFeed';
import { FeedPosts } from './LiveFeedPage';
import { Logo } from '../../../components/Logo';
import './feeds.css';

/** A channel this person works on: one they own, or one they were named a publisher of. */
export interface StudioChannel {
  channel: string;
  role: 'owner' | 'publisher';
}

const CHANNEL_PATTERN = /^[a-z0-9-]{3,40}$/;

function storageKey(me: string) {
  return `parley.channels.${me}`;
}

function loadChannels(me: string): StudioChannel[] {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(storageKey(me)) ?? '[]');
    return Array.isArray(raw) ? raw.filter((c): c is StudioChannel => typeof c?.channel === 'string' && (c.role === 'owner' || c.role === 'publisher')) : [];
  } catch {
    return [];
  }
}

export interface ChannelStudioProps {
  me: string;
  feed?: UseFeedOptions;
}

/**
 * ChannelStudio is the signed-in screen of live feeds: an owner creates a channel, names its publishers,
 * posts and deletes posts; a publisher opens a channel they were named on and posts to it.
 */
export default function ChannelStudio({ me, feed }: ChannelStudioProps) {
  const api = useChannelsAPI();
  const [channels, setChannels] = useState<StudioChannel[]>(() => loadChannels(me));
  const [selected, setSelected] = useState<string | undefined>(() => channels[0]?.channel);
  const remember = (c: StudioChannel) => {
    const next = [c, ...channels.filter((x) => x.channel !== c.channel)];
    setChannels(next);
    setSelected(c.channel);
    localStorage.setItem(storageKey(me), JSON.stringify(next));
  };
  const current = channels.find((c) => c.channel === selected);

  return (
    <div className="studio">
      <header className="feed-header">
        <Logo />
        <h1 className="feed-title">Live channels</h1>
        <a className="btn btn-ghost btn-small" href="/">
          Back to chats
        </a>
      </header>
      {channels.length > 0 && (
        <ul className="studio-channels" aria-label="Your channels">
          {channels.map((c) => (
            <li key={c.channel}>
              <button
                type="button"
                className={`btn btn-small ${c.channel === selected ? 'btn-primary' : 'btn-ghost'}`}
                aria-pressed={c.channel === selected}
                onClick={() => setSelected(c.channel)}
              >
                {c.channel} {c.role === 'owner' ? '(owner)' : '(publisher)'}
              </button>
            </li>
          ))}
        </ul>
      )}
      {current && <ChannelDesk key={current.channel} api={api} channel={current} {...(feed ? { feed } : {})} />}
      <CreateChannelForm api={api} onCreated={(channel) => remember({ channel, role: 'owner' })} />
      <OpenChannelForm onOpen={(channel) => remember({ channel, role: 'publisher' })} />
    </div>
  );
}

function CreateChannelForm({ api, onCreated }: { api: ChannelsAPI; onCreated: (channel: string) => void }) {
  const [channel, setChannel] = useState('');
  const [title, setTitle] = useState('');
  const [name, setName] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const id = channel.trim();
    if (!CHANNEL_PATTERN.test(id)) return action.fail('A channel name is 3 to 40 of a-z, 0-9 and -.');
    if (!title.trim()) return action.fail('Give the channel a title.');
    await action.run(async () => {
      await api.createChannel({ channel: id, title: title.trim(), ...(name.trim() ? { name: name.trim() } : {}) });
      setChannel('');
      setTitle('');
      onCreated(id);
    });
  };
  return (
    <section className="studio-panel" aria-labelledby="create-channel">
      <h2 id="create-channel">Create a channel</h2>
      <form className="form" onSubmit={submit} noValidate>
        <div className="studio-row">
          <label className="field">
            <span className="field-label">Channel name</span>
            <input name="channel" value={channel} onChange={(e) => setChannel(e.target.value.toLowerCase())} placeholder="grand-finals" maxLength={40} />
          </label>
          <label className="field">
            <span className="field-label">Title</span>
            <input name="title" value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Grand Finals 2026" maxLength={200} />
          </label>
          <label className="field">
            <span className="field-label">Your public name</span>
            <input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Host" maxLength={100} />
          </label>
          <button type="submit" className="btn btn-primary" disabled={action.busy}>
            Create
          </button>
        </div>
        {action.error && <p className="form-error" role="alert">{action.error}</p>}
      </form>
    </section>
  );
}

function OpenChannelForm({ onOpen }: { onOpen: (channel: string) => void }) {
  const [channel, setChannel] = useState('');
  const [error, setError] = useState<string>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const id = channel.trim();
    if (!CHANNEL_PATTERN.test(id)) return setError('A channel name is 3 to 40 of a-z, 0-9 and -.');
    setError(undefined);
    setChannel('');
    onOpen(id);
  };
  return (
    <section className="studio-panel" aria-labelledby="open-channel">
      <h2 id="open-channel">Post to a channel you were named on</h2>
      <form className="studio-row" onSubmit={submit} noValidate>
        <label className="field">
          <span className="field-label">Channel to open</span>
          <input name="open-channel" value={channel} onChange={(e) => setChannel(e.target.value.toLowerCase())} maxLength={40} />
        </label>
        <button type="submit" className="btn btn-ghost">
          Open
        </button>
        {error && <p className="form-error" role="alert">{error}</p>}
      </form>
    </section>
  );
}

/**
 * ChannelDesk is one channel: its post box with the live posts under it, and (for the owner) its publishers in a
 * section of their own.
 */
function ChannelDesk({ api, channel, feed }: { api: ChannelsAPI; channel: StudioChannel; feed?: UseFeedOptions }) {
  const live = useFeed(channel.channel, feed);
  const owner = channel.role === 'owner';
  const deletion = useAction();
  const ids = useId();
  const remove = (id: string) =>
    void deletion.run(async () => {
      await api.deletePost({ channel: channel.channel, id });
      await live.refresh();
    });
  return (
    <>
      <section className="studio-panel" aria-labelledby={`${ids}-desk`}>
        <div className="studio-desk-header">
          <h2 id={`${ids}-desk`}>{live.view.title || channel.channel}</h2>
          <a href={`/live/${channel.channel}`} target="_blank" rel="noreferrer">
            Public page<span className="sr-only"> (opens in a new tab)</span>
          </a>
        </div>
        <PostBox api={api} channel={channel.channel} onPosted={() => void live.refresh()} />
        <h3 id={`${ids}-posts`} className="studio-subheading">
          Posts
        </h3>
        {deletion.error && <p className="form-error" role="alert">{deletion.error}</p>}
        <FeedPosts posts={live.view.posts} labelledBy={`${ids}-posts`} {...(owner ? { onDelete: remove } : {})} />
      </section>
      {owner && (
        <section className="studio-panel" aria-labelledby={`${ids}-publishers`}>
          <h2 id={`${ids}-publishers`}>Publishers</h2>
          <p className="studio-hint">People you name here may post to {channel.channel}; readers see the public name you give them.</p>
          <AddPublisherForm api={api} channel={channel.channel} />
        </section>
      )}
    </>
  );
}

function PostBox({ api, channel, onPosted }: { api: ChannelsAPI; channel: string; onPosted: () => void }) {
  const [text, setText] = useState('');
  // One clientId per text, so a retry after a lost answer posts once.
  const [clientId, setClientId] = useState(newClientId);
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const message = text.trim();
    if (!message) return;
    await action.run(async () => {
      await api.postToChannel({ channel, message, clientId });
      setText('');
      setClientId(newClientId());
      onPosted();
    });
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      <label className="field">
        <span className="field-label">Post</span>
        <textarea
          name="post"
          rows={2}
          maxLength={4000}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setClientId(newClientId());
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
        />
      </label>
      <div className="studio-row">
        <button type="submit" className="btn btn-primary" disabled={action.busy || !text.trim()}>
          Post
        </button>
        {action.error && <p className="form-error" role="alert">{action.error}</p>}
      </div>
    </form>
  );
}

function AddPublisherForm({ api, channel }: { api: ChannelsAPI; channel: string }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [added, setAdded] = useState<string>();
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!email.trim() || !name.trim()) return action.fail('Enter their email and the name readers will see.');
    await action.run(async () => {
      const p = await api.addPublisher({ channel, email: email.trim(), name: name.trim() });
      setAdded(`${p.name} can post now.`);
      setEmail('');
      setName('');
    });
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Add a publisher">
      <div className="studio-row">
        <label className="field">
          <span className="field-label">Publisher email</span>
          <input name="publisher-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={254} />
        </label>
        <label className="field">
          <span className="field-label">Public name</span>
          <input name="publisher-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
        </label>
        <button type="submit" className="btn btn-ghost" disabled={action.busy}>
          Add publisher
        </button>
      </div>
      {added && <p role="status">{added}</p>}
      {action.error && <p className="form-error" role="alert">{action.error}</p>}
    </form>
  );
}
