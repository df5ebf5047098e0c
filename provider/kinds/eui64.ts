// The IPv6 link-local address the kernel makes from an Ethernet MAC address (modified EUI-64,
// RFC 4291 appendix A; the kernel's addrconf_ifid_eui48). Pure: no processes, no I/O.
//   00:0b:97:28:c6:d5 -> 02:0b:97 ff:fe 28:c6:d5 -> fe80::20b:97ff:fe28:c6d5   (seed 004)
import { formatIp, parseIp } from "../model/net";

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/**
 * The 64-bit interface identifier: FF FE inserted between the upper and the lower three bytes,
 * and the universal/local bit (0x02 of the first byte) inverted. Seed 004 says "set" that bit
 * (OR 0200:0:0:0): the same for a universally administered MAC such as the seed's, whose bit is
 * 0; a locally administered MAC (02:...) has it cleared, as the kernel does.
 */
export function eui64InterfaceId(mac: string): bigint {
    if (!MAC.test(mac)) throw new Error(`"${mac}" is not a MAC address such as 00:0b:97:28:c6:d5`);
    const b = mac.split(":").map((h) => parseInt(h, 16));
    const bytes = [b[0]! ^ 0x02, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
    return bytes.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
}

/** fe80::/64 followed by the EUI-64 interface identifier, as `ip` prints it: fe80::20b:97ff:fe28:c6d5. */
export function eui64LinkLocal(mac: string): string {
    return formatIp({ family: 6, value: (0xfe80n << 112n) | eui64InterfaceId(mac) });
}

/** A global address made the same way (SLAAC): the upper 64 bits of `prefix` (2001:db8:0:1::) and the interface identifier. */
export function eui64Address(prefix: string, mac: string): string {
    const p = parseIp(prefix);
    if (p?.family !== 6) throw new Error(`"${prefix}" is not an IPv6 prefix such as 2001:db8:0:1::`);
    return formatIp({ family: 6, value: (p.value & ~((1n << 64n) - 1n)) | eui64InterfaceId(mac) });
}
