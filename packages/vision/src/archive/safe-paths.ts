/**
 * The path rules that keep an archive inside its destination. Pure functions over POSIX-style
 * member names, so the rules can be read and tested without touching the disk.
 */

/** A member name split into its components, or the reason it is refused. */
export type SplitResult = { ok: true; parts: string[] } | { ok: false; why: string };

/**
 * Splits a member name into components. Refuses absolute names and any ".." component (even one
 * that would stay inside lexically: "a/../b" can leave the tree when "a" is a symlink). "." and
 * empty components ("./images//a.jpg") are dropped; the empty result is the archive root itself.
 */
export function splitMemberPath(name: string): SplitResult {
  if (name.startsWith("/")) return { ok: false, why: "is an absolute path" };
  if (/^[A-Za-z]:/.test(name)) return { ok: false, why: "starts with a drive letter" };
  const parts: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") return { ok: false, why: 'contains a ".." component' };
    parts.push(part);
  }
  return { ok: true, parts };
}

/** The longest chain of symlinks followed before a target is called a loop (Linux uses 40). */
const MAX_LINK_HOPS = 40;

/**
 * Where a symlink at `linkParts` pointing to `target` ends up, resolving the symlinks the archive
 * created (`links`: member path → target) component by component, as the kernel would. Returns the
 * resolved components relative to the root, or null when resolution leaves the root (or loops).
 * Missing components resolve lexically: a dangling link inside the root stays inside.
 */
export function resolveLink(
  linkParts: readonly string[],
  target: string,
  links: ReadonlyMap<string, string>,
): string[] | null {
  if (target.startsWith("/")) return null;
  const at = linkParts.slice(0, -1);
  const pending = target.split("/").reverse();
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.pop() as string;
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (at.length === 0) return null;
      at.pop();
      continue;
    }
    at.push(part);
    const next = links.get(at.join("/"));
    if (next === undefined) continue;
    if (++hops > MAX_LINK_HOPS || next.startsWith("/")) return null;
    at.pop();
    pending.push(...next.split("/").reverse());
  }
  return at;
}
