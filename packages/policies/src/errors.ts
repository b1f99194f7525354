/** A policy was called with an argument it cannot use; the message names the policy, the argument and the value. */
export class PolicyError extends Error {
  override name = "PolicyError";
}
