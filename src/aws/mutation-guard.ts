/**
 * Every change the action makes to AWS is a step of the release journal, recorded (with what
 * undoes it) before it runs. This guard holds the action to that: the clients refuse any
 * mutating call made outside a journal step or an undo, before it reaches the network, so a
 * change that bypasses the journal fails every scenario that reaches it instead of slipping by.
 *
 * "Mutating" is everything but the read operations (Describe*, List*, Get*): a new operation
 * is treated as a change until it is named a read here.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const READ = /^(Describe|List|Get)[A-Z]/;

const allowed = new AsyncLocalStorage<string>();

export function isMutating(commandName: string): boolean {
  return !READ.test(commandName.replace(/Command$/, ''));
}

/** Runs `fn` as the journal step `what`: the AWS calls it makes may change things. */
export function allowMutations<T>(what: string, fn: () => Promise<T>): Promise<T> {
  return allowed.run(what, fn);
}

export class UnjournalledChangeError extends Error {
  override name = 'UnjournalledChangeError';
}

interface MiddlewareStackLike {
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize'; name: string },
  ): void;
}

/** Installs the guard on a client: the first middleware every command passes. */
export function guardMutations<C extends { middlewareStack: unknown }>(client: C): C {
  (client.middlewareStack as MiddlewareStackLike).add(
    (next, context) => (args) => {
      const name = context.commandName ?? '';
      if (isMutating(name) && allowed.getStore() === undefined) {
        throw new UnjournalledChangeError(
          `${name.replace(/Command$/, '')} was sent outside a release journal step; every change must be journalled with its undo first.`,
        );
      }
      return next(args);
    },
    { step: 'initialize', name: 'deployActionJournalGuard' },
  );
  return client;
}
