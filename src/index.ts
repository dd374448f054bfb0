/**
 * The one entry of both steps: action.yml runs this file as `main` and as `post`. As
 * actions/checkout does, the main step leaves `isPost` in action state, which the runner hands
 * to the post step only. One entry means one bundle whose chunks both steps share, and each
 * step imports only its own code: the post step loads the journal's undo, never a command.
 */
import * as core from '@actions/core';

const IS_POST = 'isPost';

if (core.getState(IS_POST)) {
  const { cleanup } = await import('./cleanup.js');
  await cleanup();
} else {
  core.saveState(IS_POST, 'true');
  const { run } = await import('./main.js');
  await run();
}
