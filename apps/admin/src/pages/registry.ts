// The navigation: one entry per top-level page. A new resource is one page file plus a line here.
import type { ComponentType } from "react";
import { AccountPage } from "./Account.tsx";
import { ChatbotsPage } from "./Chatbots.tsx";
import { DomainsPage } from "./Domains.tsx";
import { ProvidersPage } from "./Providers.tsx";
import { WebhooksPage } from "./Webhooks.tsx";

export interface PageEntry {
  path: string;
  label: string;
  component: ComponentType;
}

export const PAGES: PageEntry[] = [
  { path: "/chatbots", label: "Chatbots", component: ChatbotsPage },
  { path: "/domains", label: "Domains", component: DomainsPage },
  { path: "/providers", label: "Providers", component: ProvidersPage },
  { path: "/webhooks", label: "Webhooks", component: WebhooksPage },
  { path: "/account", label: "Account", component: AccountPage },
];
