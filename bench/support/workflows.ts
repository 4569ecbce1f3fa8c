/**
 * The case workflows with a stand-in `compensationWorkflow` that ends at once, for `npm run bench e2e`
 * while the 待遇补差 workflow is not in workflows/ yet: each settlement starts one by type name, and an
 * unregistered type fails its workflow task over and over (burning CPU and flooding the log in both
 * variants). bench/e2e.ts uses this index only while workflows/ does not export the real one.
 */
export * from '../../workflows';

export async function compensationWorkflow(): Promise<void> {}
