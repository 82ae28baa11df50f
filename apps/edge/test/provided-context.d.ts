// What test/node/global-setup.ts provides (Node) and the workerd tests inject.
import "vitest";
import type { StackInfo } from "./stack-info.ts";

declare module "vitest" {
  export interface ProvidedContext extends StackInfo {}
}
