// The admin token lives in session storage: gone when the tab closes or on sign-out.
const KEY = "botgate.adminToken";

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}
