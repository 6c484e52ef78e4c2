import { conflict, illegalState, notFound } from '@paas/contracts';
import type { AppEvent, AppState } from './app-state.js';

/**
 * Adds an account as collaborator. Whether the account exists is looked up by the command
 * handler (the read model) and passed in, so this stays pure.
 */
export function addCollaborator(raw: string, accountExists: boolean, by: string, state: AppState): AppEvent[] {
  const email = raw.toLowerCase();
  if (!accountExists) throw notFound(`Couldn't find that user (${email}).`);
  if (email === state.owner.toLowerCase() || state.collaborators.includes(email)) {
    throw conflict(`${email} is already a collaborator on this app.`);
  }
  return [{ type: 'CollaboratorAdded', data: { appName: state.name, email, by } }];
}

/** Removes a collaborator; the owner stays. */
export function removeCollaborator(raw: string, by: string, state: AppState): AppEvent[] {
  const email = raw.toLowerCase();
  if (email === state.owner.toLowerCase()) throw illegalState('The owner of an app cannot be removed.');
  if (!state.collaborators.includes(email)) throw notFound(`${email} is not a collaborator on this app.`);
  return [{ type: 'CollaboratorRemoved', data: { appName: state.name, email, by } }];
}
