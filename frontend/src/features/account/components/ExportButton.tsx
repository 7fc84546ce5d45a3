import { useState } from 'react';
import { useChatAPI } from '../../../api/ChatAPIContext';
import { errorMessage } from '../../../api/chat-api';

/** ExportButton asks for a copy of everything the service holds about the person and starts its download. */
export function ExportButton() {
  const api = useChatAPI();
  const [state, setState] = useState<{ busy: boolean; error?: string; link?: string }>({ busy: false });

  const exportAll = async () => {
    setState({ busy: true });
    try {
      const { url } = await api.exportAccount();
      setState({ busy: false, link: url });
      window.location.assign(url);
    } catch (err) {
      setState({ busy: false, error: errorMessage(err) });
    }
  };

  return (
    <>
      <button type="button" className="btn btn-ghost btn-small" onClick={() => void exportAll()} disabled={state.busy}>
        {state.busy ? 'Preparing your data…' : 'Export my data'}
      </button>
      {state.link && (
        <a className="link-button" href={state.link} download="parley-export.json">
          Download again (works for 15 minutes)
        </a>
      )}
      {state.error && (
        <span className="form-error" role="alert">
          {state.error}
        </span>
      )}
    </>
  );
}
