// Every lesson, in teaching order.
import type { Lesson } from "./lesson";
import { lesson as helloNamespace } from "./hello-namespace";
import { lesson as twoHosts } from "./two-hosts";
import { lesson as router } from "./router";
import { lesson as twoRouters } from "./two-routers";
import { lesson as ttlTraceroute } from "./ttl-traceroute";
import { lesson as pathMtu } from "./path-mtu";
import { lesson as routingTable } from "./routing-table";
import { lesson as vpc } from "./vpc";
import { lesson as ipv6 } from "./ipv6";
import { lesson as icmpUnreachable } from "./icmp-unreachable";
import { lesson as udpSocket } from "./udp-socket";
import { lesson as ipTunnel } from "./ip-tunnel";

export const lessons: Record<string, Lesson> = Object.fromEntries(
    [helloNamespace, twoHosts, router, twoRouters, vpc, udpSocket, ttlTraceroute, icmpUnreachable, pathMtu, ipTunnel, routingTable, ipv6].map((l) => [l.name, l]),
);
