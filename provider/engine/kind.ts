// A resource kind as one definition: its schema (what a valid input is, with a doc comment per
// field), what the kernel computes, which inputs name a namespace, what it claims across the
// stack, its diff, its ID and its lifecycle. Everything else is derived from the definitions
// listed in `provider/kinds/registry.ts`: the public `XxxArgs` type and the resource class (dynamic.ts),
// the provider methods (impl.ts), the host-namespace guard (hostns.ts), the whole-stack checks
// (declared.ts), the resource options of what the kernel deletes together (ties.ts), where the
// marks go (nsmark.ts), the leftover finder (leftovers.ts) and recovery (lab/recover.ts).
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { ClaimRule, Fact } from "../checks/declared";
import type { Subject } from "../host/run";
import { remember, type LinkRule, type SegmentRule, type TieRules } from "../model/relations";

/** A kind's schema: a zod object of its inputs. */
export type Schema = z.ZodObject<z.ZodRawShape>;
/** What the kernel decides, by output name. */
export type Computed = Record<string, z.ZodType>;

/** The inputs after `check`: defaults applied, values normalized (the provider's view). */
export type SpecOf<S extends Schema> = z.output<S>;
/** The computed outputs, by name. */
export type ComputedOf<C extends Computed> = { [P in keyof C]: z.output<C[P]> };
/** What create returns: every input after check, and every computed value. */
export type StateOf<S extends Schema, C extends Computed> = SpecOf<S> & ComputedOf<C>;
/** What the state may hold: a state written before a computed value existed lacks it. */
export type StoredOf<S extends Schema, C extends Computed> = SpecOf<S> & Partial<ComputedOf<C>>;

/** The public arguments of a kind: each input of the schema as a `pulumi.Input`. */
export type ArgsOf<S extends Schema> = { [P in keyof z.input<S>]: pulumi.Input<z.input<S>[P]> };

type Maybe<O, P extends keyof O> = {} extends Pick<O, P> ? O[P] | undefined : O[P];
/** The outputs of a kind's resource class: every input (after check) and every computed value. */
export type OutputsOf<S extends Schema, C extends Computed> =
    { readonly [P in keyof SpecOf<S>]-?: pulumi.Output<Maybe<SpecOf<S>, P>> } &
    { readonly [P in keyof C]-?: pulumi.Output<z.output<C[P]>> };

type Key<S extends Schema> = keyof SpecOf<S> & string;

/** Makes one claim rule: the facts of `facts` once the inputs `needs` are known. */
export type On<I> = <N extends keyof I & string>(needs: readonly N[], facts: (a: Pick<I, N>, name: string) => Fact[]) => ClaimRule;

export interface KindDef<K extends string, S extends Schema, C extends Computed> {
    kind: K;
    /** Every input, with a doc comment per field (shown on the Args and on the outputs). */
    schema: S;
    /** What the kernel decides, with a doc comment per field; create returns all of it, refresh updates it. */
    computed: C;
    /** The inputs that name a namespace: refused when bound to the host's own, by check and again by every method (hostns.ts). */
    namespaces: readonly Key<S>[];
    /** What this resource claims across the stack (declared.ts), from its raw inputs once known. */
    claims: (on: On<z.input<S>>) => readonly ClaimRule[];
    /** For the Namespace kind: the input that names the namespace the object is (its mark is its lo's alias, nsmark.ts). */
    namespaceName?: Key<S>;
    /** The input naming the namespace the object lives in: deleting that Namespace deletes it (ties.ts: deletedWith). */
    deletedWith?: Key<S>;
    /**
     * The interfaces the object makes, each with its mark (nsmark.ts): other resources name them
     * (ties.ts), the leftover finder knows them by their type (leftovers.ts).
     */
    links?: readonly LinkRule<Key<S>>[];
    /** The subnet the object connects its namespace to (an address): a Route through a gateway in it is tied to it (ties.ts). */
    segment?: SegmentRule<Key<S>>;
    /** What the kernel takes the object away with, so that the same plan replaces it (ties.ts: replaceWith). */
    ties?: TieRules<Key<S>>;
    /** Which inputs replace the object and which change in place (diff.ts). */
    diff: { replace: readonly Key<S>[]; update: readonly Key<S>[]; clear?: readonly Key<S>[] };
    /** Fills in what the inputs imply (a peer MTU that follows mtu), so that diff and refresh see it. */
    normalize?(a: SpecOf<S>): SpecOf<S>;
    /** The object's identity on the host, used as the Pulumi ID. */
    id(a: SpecOf<S>): string;
    /** Makes the object, all or nothing: on failure whatever was made is removed first. */
    create(s: Subject, a: SpecOf<S>): Promise<StateOf<S, C>>;
    /** The live object under the input names, or undefined when it is gone. */
    read(s: Subject, o: StoredOf<S, C>): Promise<StoredOf<S, C> | undefined>;
    /** Changes the `diff.update` properties in place. */
    update(s: Subject, olds: StoredOf<S, C>, news: SpecOf<S>): Promise<StoredOf<S, C>>;
    /** Removes the object; already gone is success. */
    delete(s: Subject, o: StoredOf<S, C>): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyKind = KindDef<string, Schema, Computed> | KindDef<any, any, any>;

/**
 * Checks a definition's types and returns it (the schema's types flow into every method); records
 * its relations (relations.ts), which the checks and the ownership code read by kind name.
 */
export function defineKind<K extends string, S extends Schema, C extends Computed>(def: KindDef<K, S, C>): KindDef<K, S, C> {
    remember(def);
    return def;
}
