// Driving stacks from the Automation API (`pulumi-netns/automation`).
//
// With an inline program and no `workDir`, the Automation API runs the CLI in a temporary
// directory without `node_modules`. The engine's dynamic provider launcher
// (`pulumi-resource-pulumi-nodejs`) resolves `@pulumi/pulumi/cmd/dynamic-provider` from its working
// directory, and the stored provider (dynamic.ts) resolves `pulumi-netns/dist/provider/impl.js`
// from there too: both fail ("Cannot find module"). The workspace options made here put the
// node_modules folders this package is installed in on NODE_PATH, which both resolutions consult,
// and give the stack a backend and a passphrase when the caller gives none.
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { LocalWorkspace, type InlineProgramArgs, type LocalWorkspaceOptions, type Stack } from "@pulumi/pulumi/automation";

/** The backend used when neither the caller, the environment nor the project names one. */
export const DEFAULT_BACKEND = `file://${join(homedir(), ".pulumi-netns", "state")}`;

export interface LabStackArgs extends InlineProgramArgs {
    /**
     * The backend. Default: PULUMI_BACKEND_URL from `envVars`, then from this process's
     * environment, then the project settings' `backend.url`, else DEFAULT_BACKEND (a file backend
     * in ~/.pulumi-netns/state).
     */
    backendUrl?: string;
}

/** The node_modules folders this module resolves its own dependencies from (and the main program's). */
function moduleFolders(): string[] {
    const paths = [...module.paths, ...(require.main?.paths ?? [])];
    return [...new Set(paths)].filter((p) => existsSync(p));
}

/**
 * The workspace options for a stack of pulumi-netns resources: `opts` with NODE_PATH, and with
 * PULUMI_BACKEND_URL and an empty PULUMI_CONFIG_PASSPHRASE where the caller gives none (an empty
 * passphrase protects no secret: pass PULUMI_CONFIG_PASSPHRASE, or a `secretsProvider`, when the
 * stack holds any).
 */
export function labWorkspaceOptions(opts: LocalWorkspaceOptions = {}, backendUrl?: string): LocalWorkspaceOptions {
    const given = opts.envVars ?? {};
    const env: Record<string, string> = { ...given };
    const inherited = (k: string) => given[k] ?? process.env[k];
    const existing = inherited("NODE_PATH");
    env.NODE_PATH = [...moduleFolders(), ...(existing ? existing.split(delimiter) : [])].join(delimiter);
    const backend = backendUrl ?? inherited("PULUMI_BACKEND_URL") ?? opts.projectSettings?.backend?.url ?? DEFAULT_BACKEND;
    env.PULUMI_BACKEND_URL = backend;
    if (backend === DEFAULT_BACKEND) mkdirSync(join(homedir(), ".pulumi-netns", "state"), { recursive: true });
    const passphrase = inherited("PULUMI_CONFIG_PASSPHRASE") !== undefined || inherited("PULUMI_CONFIG_PASSPHRASE_FILE") !== undefined;
    if (!passphrase && !opts.secretsProvider && backend.startsWith("file://")) env.PULUMI_CONFIG_PASSPHRASE = "";
    return { ...opts, envVars: env };
}

/**
 * `LocalWorkspace.createOrSelectStack` for an inline program of pulumi-netns resources, with the
 * workspace options of labWorkspaceOptions: works with or without a `workDir`.
 */
export async function createOrSelectLabStack(args: LabStackArgs, opts: LocalWorkspaceOptions = {}): Promise<Stack> {
    const { backendUrl, ...inline } = args;
    return LocalWorkspace.createOrSelectStack(inline, labWorkspaceOptions(opts, backendUrl));
}
