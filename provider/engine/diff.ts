// A diff is a declaration, not a chain of comparisons: each kind lists which inputs replace the
// object and which update it in place. Everything else (resourceName, adopt) never causes a change.

export interface DiffSpec {
    /** Inputs whose change means a new kernel object: delete the old one first, then create. */
    replace: readonly string[];
    /** Inputs that `update` changes in place; the object keeps its identity (ifindex, etc.). */
    update: readonly string[];
    /**
     * Of the `update` inputs, those for which leaving the input out is a change too: left out
     * means "none" (a veth end with no master), not "the kernel's choice".
     */
    clear?: readonly string[];
}

export interface DiffDecision {
    changes: boolean;
    replaces: string[];
    deleteBeforeReplace: boolean;
}

function same(a: unknown, b: unknown): boolean {
    return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Compares the stored outputs with the checked new inputs. Objects in the kernel are unique by
 * name, so a replacement always deletes the old object before it creates the new one.
 */
export function decide(spec: DiffSpec, olds: Record<string, unknown>, news: Record<string, unknown>): DiffDecision {
    const replaces = spec.replace.filter((k) => !same(olds[k], news[k]));
    // An optional property left out (MTU, MAC) means "the kernel's choice": not a change.
    const updates = spec.update.filter((k) => (news[k] !== undefined || spec.clear?.includes(k)) && !same(olds[k], news[k]));
    return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: true };
}
