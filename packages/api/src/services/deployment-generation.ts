// Columns every deploy, undeploy and redeploy writes: a new generation (jobs of an older one
// stop at once) and the host's re-verification started afresh.
export const NEXT_DEPLOYMENT_GENERATION = {
  deployFailingSince: null,
  deployCheckStreak: 0,
  deploymentGeneration: { increment: 1 },
} as const;
