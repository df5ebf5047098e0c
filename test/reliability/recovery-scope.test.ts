// The recovery's grant is scoped (issue 21 item 5): only the one `up` of a recovery of this stack
// takes objects over (provider/ownership/recovery.ts). Recovery variables left exported in a shell and
// inherited by an unrelated `up` adopt nothing: the old unscoped PULUMI_NETNS_ADOPT_IDS and
// PULUMI_NETNS_ADOPT_NAMESPACES, a grant written for another stack (its token file still there),
// and a grant of this stack whose recovery has ended (its token file removed). Each time a
// namespace made by hand under the name the stack wants stays as it was (no mark, no state
// entry) and the up fails with "already exists", with a warning saying why the variable granted
// nothing. The grant of a running recovery of this stack does take it over (the control).
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { issueGrant } from "../../provider/ownership/recovery";
import { filePrefix } from "../support/prefix";
import { exportState, fileLifecycle, fixtureStack, printed } from "./support";

const prefix = filePrefix("rcscope");
const hand = `${prefix}hand`;
const { stacks } = fileLifecycle(prefix, undefined, { fixtures: [hand] });

async function loAlias(ns: string): Promise<string> {
    const r = await execa("ip", ["-n", ns, "-j", "link", "show", "dev", "lo"]);
    return (JSON.parse(String(r.stdout)) as { ifalias?: string }[])[0]?.ifalias ?? "";
}

describe("recovery variables inherited by an unrelated up", () => {
    it("adopt nothing: the old variables, another stack's grant, an ended recovery's grant; a running recovery's grant of this stack does", async () => {
        await execa("ip", ["netns", "add", hand]); // made by hand: no mark
        const stack = await fixtureStack(`${prefix}s`, [{ kind: "Namespace", name: "n", args: { name: hand } }]);
        stacks.push(stack);
        const mine = { project: "netns-fixture", stack: stack.name };
        const other = issueGrant({ project: "netns-fixture", stack: `${prefix}other` }, [`Namespace:${hand}`], [hand]);
        const ended = issueGrant(mine, [`Namespace:${hand}`], [hand]);
        ended.revoke();
        const cases: [string, Record<string, string>, RegExp][] = [
            ["the old variables", { PULUMI_NETNS_ADOPT_IDS: JSON.stringify([`Namespace:${hand}`]), PULUMI_NETNS_ADOPT_NAMESPACES: JSON.stringify([hand]) },
                /PULUMI_NETNS_ADOPT_IDS and PULUMI_NETNS_ADOPT_NAMESPACES are ignored/],
            ["another stack's grant", { PULUMI_NETNS_RECOVERY: other.value }, new RegExp(`PULUMI_NETNS_RECOVERY was written for stack netns-fixture/${prefix}other, not for netns-fixture/${stack.name}`)],
            ["an ended recovery's grant", { PULUMI_NETNS_RECOVERY: ended.value }, /PULUMI_NETNS_RECOVERY names a recovery that has ended/],
        ];
        try {
            for (const [what, vars, warning] of cases) {
                const r = await stack.run(["up", "--yes", "--skip-preview"], vars);
                expect(r.exitCode, `${what}: ${printed(r)}`).not.toBe(0);
                expect(printed(r), what).toMatch(/already exists/);
                expect(printed(r), what).toMatch(warning);
                expect(await loAlias(hand), `${what}: the hand-made namespace carries no mark`).toBe("");
                expect((await exportState(stack)).resources, `${what}: nothing in the state`).toEqual([]);
            }
        } finally {
            other.revoke();
        }
        // The control: a grant of this stack while its recovery runs.
        const live = issueGrant(mine, [`Namespace:${hand}`], []);
        try {
            await stack.up([], { PULUMI_NETNS_RECOVERY: live.value });
        } finally {
            live.revoke();
        }
        expect(await loAlias(hand)).toMatch(new RegExp(`^pulumi-netns/1 netns-fixture/${stack.name}\\b`));
        expect((await exportState(stack)).resources.map((x) => x.id)).toEqual([hand]);
        await stack.destroy();
    }, 600_000);
});
