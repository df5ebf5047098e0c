// The foundation works end to end: the real CLI stores our dynamic provider in the state (one
// line, provider/engine/dynamic.ts) and runs it in its own process through preview, up, a no-change
// preview and destroy.
import { describe, expect, it } from "vitest";
import { namespaces } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { storedProvider } from "../../provider/engine/dynamic";
import { FIXTURE, TestStack } from "./harness";

const prefix = filePrefix("smoke");
const life = fileLifecycle(prefix); // leak check, then clean-up (test/support/lifecycle.ts)

describe("a Namespace through the real Pulumi CLI", () => {

    it("previews, creates, changes nothing on a second preview, and destroys", async () => {
        const name = `${prefix}one`;
        const stack = await TestStack.create(`${prefix}stack`, FIXTURE, {
            resources: JSON.stringify([{ kind: "Namespace", name: "one", args: { name } }]),
        });
        life.stacks.push(stack);

        expect(await stack.changes()).toEqual(["create one"]);
        expect(await namespaces()).not.toContain(name); // preview made nothing

        await stack.up();
        expect(await namespaces()).toContain(name);
        const one = await stack.resource("one");
        expect(one?.id).toBe(name);
        expect(one?.outputs.__provider).toBe(storedProvider("Namespace")); // what the engine's provider host loads

        await stack.expectNoChanges();

        await stack.destroy();
        expect(await namespaces()).not.toContain(name);
    });
});
