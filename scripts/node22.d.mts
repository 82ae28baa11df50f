export const edgeRequire: NodeJS.Require;
export function node22(): string;
