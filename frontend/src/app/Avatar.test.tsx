import { screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Contact } from '../api/chat-api';
import { renderWithAPI, world } from '../test/render';
import { ChatShell } from './ChatShell';

describe('Avatar', () => {
  it('draws initials locally and loads no image, whatever avatar URL the API sends', async () => {
    const { alice } = world();
    const getContacts = alice.getContacts.bind(alice);
    vi.spyOn(alice, 'getContacts').mockImplementation(async () =>
      (await getContacts()).map(
        (c): Contact => ({ ...c, avatar: 'https://www.gravatar.com/avatar/0123456789abcdef?d=identicon' }),
      ),
    );
    const { container } = renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} />, alice);
    const row = await screen.findByText('Bob');
    expect(row).toBeInTheDocument();
    expect(container.querySelector('.avatar-initials')).toHaveTextContent('B');
    expect(container.querySelectorAll('img')).toHaveLength(0);
    expect(container.innerHTML).not.toContain('gravatar');
  });
});
