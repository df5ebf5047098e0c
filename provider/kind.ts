// The contract every resource kind implements. `provider/impl.ts` wraps these into the
// dynamic provider methods; the methods of a kind live in its own file.
import type { DiffSpec } from "./diff";
import type { Kind, Inputs } from "./schemas";
import type { Subject } from "./run";

export type Outputs<K extends Kind> = Inputs<K> & Record<string, unknown>;

export interface KindImpl<K extends Kind> {
    kind: K;
    diff: DiffSpec;
    /** Fills in what the inputs imply (a peer MTU that follows mtu), so that diff and refresh see it. */
    normalize?(a: Inputs<K>): Inputs<K>;
    /** The object's identity on the host, used as the Pulumi ID. */
    id(a: Inputs<K>): string;
    /** Makes the object, all or nothing: on failure whatever was made is removed first. */
    create(s: Subject, a: Inputs<K>): Promise<Outputs<K>>;
    /** The live object, or undefined when it is gone. */
    read(s: Subject, o: Outputs<K>): Promise<Outputs<K> | undefined>;
    /** Changes the `diff.update` properties in place. */
    update(s: Subject, olds: Outputs<K>, news: Inputs<K>): Promise<Outputs<K>>;
    /** Removes the object; already gone is success. */
    delete(s: Subject, o: Outputs<K>): Promise<void>;
}
