export function reachable(host: string, port: number, timeoutMs?: number): Promise<boolean>;
