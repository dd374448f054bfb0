/** Errors an ECS-native release tells apart: the same refusal and alarm as a blue-green release. */
export { AlarmFiredError, RefusedError } from '../errors.js';
