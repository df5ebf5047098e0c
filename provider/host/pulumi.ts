// The Pulumi CLI, as the leftover finder runs it (provider/leftovers.ts): here, beside
// run.ts, because the host layer is the only code of the provider that starts processes.

/** Runs `pulumi ARGS` outside any project; the tests pass a fake. */
export type PulumiRun = (args: string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

/** `pulumi ARGS --non-interactive` from `/`, with `env` added to ours. */
export const pulumiCli = (env: Record<string, string>): PulumiRun => async (args) => {
    const { execa } = await import("execa");
    const r = await execa("pulumi", [...args, "--non-interactive"], { env, reject: false, stdin: "ignore", cwd: "/" });
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
};
