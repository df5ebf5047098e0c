// What a lesson is: a topology (define), the commands worth trying (its outputs), and checks
// that prove the network behaves as its chapter says. The lab runner and the end-to-end tests
// run the same checks.
import * as pulumi from "@pulumi/pulumi";

export interface LessonContext {
    /** Put in front of every namespace name; empty for a user's lesson, unique per test run. */
    prefix: string;
    config: pulumi.Config;
}

/** What one command of a check printed. */
export interface Output {
    exitCode: number;
    stdout: string;
    stderr: string;
}

/** A namespace of a lesson: the seed's name for titles, the real (prefixed) one for commands. */
export interface Node {
    label: string;
    ns: string;
}

/** The result a check judges: its command's output, and those of the commands around it (the runner always gives both lists). */
export interface CheckResult extends Output {
    before?: Output[];
    after?: Output[];
    /** The decoded lines of the check's capture (`capture`), in order: what tcpdump saw on the wire meanwhile. */
    captured?: string[];
}

/**
 * A packet capture that runs while a check's commands do: `tcpdump -tn -l -i (IFACE|any) -- FILTER`
 * in one of the lesson's namespaces (provider/host/capture.ts). The runner starts it, and waits
 * until it listens, before the check's first command; after the last one it waits until `count`
 * lines were seen (at most `ms`, 3 s by default) and stops it by its PID.
 */
export interface CheckCapture {
    namespace: string;
    iface?: string;
    filter: string[];
    /** How many decoded lines the check needs; the capture ends once it has them. */
    count: number;
    ms?: number;
}

export interface Check {
    /** What it shows, in one line. */
    title: string;
    /** The command, as argv (run with execa, no shell). */
    argv: string[];
    /**
     * Commands run just before and just after argv, in order, each as argv; their outputs reach
     * `ok` as `before` and `after`. For what one command cannot show: a counter read on both
     * sides of a ping (the difference is what the ping did), a cache emptied first so that an
     * old entry cannot answer for the network.
     */
    before?: string[][];
    after?: string[][];
    /** A capture on the wire while the commands run; its lines reach `ok` as `captured`. Never with `independent`. */
    capture?: CheckCapture;
    /** What it expects, in words, and the test on the result. */
    expect: string;
    ok: (r: CheckResult) => boolean;
    /** The lines that prove the claim, shown for a passing check (default: the first line of output). */
    evidence?: (r: CheckResult) => string[];
    /**
     * Only reads, and its result does not depend on what other checks do at the same time (an
     * echo request and its reply, a sysctl read): the runner may run it alongside the other
     * independent checks next to it. Checks that change something, count, or draw ICMP errors
     * (which routers rate-limit per destination) leave it unset and run alone, in order.
     */
    independent?: boolean;
}

export interface Lesson {
    name: string;
    /** One line for `npm run lab -- list` and the README. */
    summary: string;
    /** Builds the topology; returns the stack outputs. */
    define(ctx: LessonContext): Record<string, unknown>;
    /** The checks for the running lesson, given its prefix and its config (steps). */
    checks(prefix: string, config: Record<string, string>): Check[];
}

/** Runs a command inside a namespace: `ip netns exec NS ...`. */
export function inNs(ns: string, ...argv: string[]): string[] {
    return ["ip", "netns", "exec", ns, ...argv];
}

/** A ping that succeeds or fails quickly: 2 packets, 1 second per reply at most. */
export function ping(ns: string, target: string, extra: string[] = []): string[] {
    return inNs(ns, "ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", ...extra, target);
}

export const succeeds = (r: { exitCode: number }) => r.exitCode === 0;
export const fails = (r: { exitCode: number }) => r.exitCode !== 0;
