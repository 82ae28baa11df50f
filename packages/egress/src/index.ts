export { isPrivateAddress } from "./address.ts";
export {
  EGRESS_REFUSED,
  EgressRefusedError,
  egressDispatcher,
  egressFetch,
  egressRefusalOf,
} from "./dispatcher.ts";
export {
  type EgressPolicy,
  egressUrlProblem,
  hostOf,
  privateDestinationReason,
  STRICT_EGRESS,
} from "./policy.ts";
