import { conflict, notFound, type AccountCreated, type ApiTokenIssued, type ApiTokenRevoked, type DataOf } from '@paas/contracts';

/** The events of an account's stream (`account-<id>`). */
export type AccountEvent =
  | { readonly type: 'AccountCreated'; readonly data: DataOf<typeof AccountCreated> }
  | { readonly type: 'ApiTokenIssued'; readonly data: DataOf<typeof ApiTokenIssued> }
  | { readonly type: 'ApiTokenRevoked'; readonly data: DataOf<typeof ApiTokenRevoked> };

/** What a user (or the admin) asks of an account. Hashing happens outside: the domain gets hashes. */
export type AccountCommand =
  | { readonly type: 'CreateAccount'; readonly email: string; readonly passwordHash: string }
  | { readonly type: 'IssueToken'; readonly tokenId: string; readonly tokenHash: string; readonly description: string; readonly expiresAt: string | null }
  | { readonly type: 'RevokeToken'; readonly tokenId: string };

export interface AccountState {
  readonly status: 'absent' | 'live';
  readonly id: string;
  readonly email: string;
  readonly streamVersion: number;
  /** Tokens ever issued, by id, and whether they were revoked. */
  readonly tokens: Readonly<Record<string, { readonly revoked: boolean }>>;
}

/** The state of an account stream with no events. */
export function initialAccount(id: string): AccountState {
  return { status: 'absent', id, email: '', streamVersion: 0, tokens: {} };
}

/**
 * Decides which events an account command causes. Revoking a token twice is a no-op (no event):
 * the caller wanted it dead and it is, so a retried request succeeds.
 */
export function decideAccount(command: AccountCommand, state: AccountState): AccountEvent[] {
  if (command.type === 'CreateAccount') {
    if (state.status !== 'absent') throw conflict(`Account ${state.id} already exists.`);
    return [{ type: 'AccountCreated', data: { email: command.email.toLowerCase(), passwordHash: command.passwordHash } }];
  }
  if (state.status !== 'live') throw notFound("Couldn't find that account.");
  switch (command.type) {
    case 'IssueToken':
      if (command.tokenId in state.tokens) throw conflict(`Token ${command.tokenId} already exists.`);
      return [{ type: 'ApiTokenIssued', data: {
        tokenId: command.tokenId, tokenHash: command.tokenHash, description: command.description, expiresAt: command.expiresAt,
      } }];
    case 'RevokeToken': {
      const token = state.tokens[command.tokenId];
      if (!token) throw notFound("Couldn't find that token.");
      return token.revoked ? [] : [{ type: 'ApiTokenRevoked', data: { tokenId: command.tokenId } }];
    }
  }
}

/** Applies one account event; never fails. */
export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  const s = { ...state, streamVersion: state.streamVersion + 1 };
  switch (event.type) {
    case 'AccountCreated':
      return { ...s, status: 'live', email: event.data.email };
    case 'ApiTokenIssued':
      return { ...s, tokens: { ...s.tokens, [event.data.tokenId]: { revoked: false } } };
    case 'ApiTokenRevoked':
      return { ...s, tokens: { ...s.tokens, [event.data.tokenId]: { revoked: true } } };
  }
}
