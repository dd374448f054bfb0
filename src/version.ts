/** Name and version reported in the AWS user agent and the job summary. Kept in step with package.json by a test. */
export const ACTION_NAME = 'deploy-action';
export const ACTION_VERSION = '1.0.0';
