/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The API's base URL at build time (e.g. https://api.example.com); overrides config.js. */
  readonly VITE_BOTGATE_API_URL?: string;
}

interface Window {
  BOTGATE_ADMIN?: { apiUrl?: string };
}
