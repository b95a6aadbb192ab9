#include "control/cli/flag_table.hpp"

#include <array>

namespace vpngw::cli {
namespace {

// Values are the lower-case words of PRODUCT.md; the help lists them so an
// operator need not open the docs, but the daemon is the one that checks.
constexpr std::array kFlags{
    // Resource fields.
    FlagSpec{"--name", "name", FlagKind::text, "NAME",
             "name: 1-60 of A-Z a-z 0-9 _ . -, unique per resource kind"},
    FlagSpec{"--cidr", "cidrs", FlagKind::text_list, "CIDR",
             "a CIDR of the VPC, e.g. 10.0.0.0/16; repeat for more (modify: the new full list)"},
    FlagSpec{"--vpc", "vpc", FlagKind::text, "VPC", "VPC, by ID or name"},
    FlagSpec{"--public-ip", "public_ip", FlagKind::text, "IP", "public IPv4 address"},
    FlagSpec{"--bandwidth", "bandwidth", FlagKind::integer, "MBPS",
             "bandwidth cap in Mbps: 5, 10, 20, 50, 100, 200, 500 or 1000"},
    FlagSpec{"--gateway", "gateway", FlagKind::text, "GW", "VPN gateway, by ID or name"},
    FlagSpec{"--customer-gateway", "customer_gateway", FlagKind::text, "CGW",
             "customer gateway, by ID or name"},
    FlagSpec{"--destination", "destination", FlagKind::text, "CIDR", "destination CIDR"},
    // Tunnel: identity and traffic.
    FlagSpec{"--psk", "psk", FlagKind::text, "KEY",
             "pre-shared key: 1-128 printable ASCII, no space, no '?'"},
    FlagSpec{"--spd", "spd", FlagKind::spd_rule, "LOCAL=PEER[,PEER...]",
             "SPD rule: a local CIDR and its peer CIDRs; repeat for more rules "
             "(modify: the new full list)"},
    // Tunnel: IKE policy (phase 1).
    FlagSpec{"--ike-version", "ike.version", FlagKind::text, "VERSION", "ikev1 or ikev2"},
    FlagSpec{"--ike-mode", "ike.mode", FlagKind::text, "MODE",
             "IKEv1 negotiation mode: main or aggressive"},
    FlagSpec{"--ike-enc", "ike.encryption", FlagKind::text, "CIPHER",
             "des, 3des, aes128, aes192, aes256, aes128gcm, aes256gcm (GCM with IKEv2 only)"},
    FlagSpec{"--ike-auth", "ike.integrity", FlagKind::text, "HASH",
             "integrity and PRF: md5, sha1, sha256, sha384, sha512"},
    FlagSpec{"--ike-dh", "ike.dh_group", FlagKind::text, "GROUP",
             "DH group: 1, 2, 5, 14, 24, 19, 20, 21, 31"},
    FlagSpec{"--ike-lifetime", "ike.lifetime", FlagKind::integer, "SECONDS",
             "IKE SA lifetime: 3600-86400"},
    FlagSpec{"--local-id", "ike.local_id", FlagKind::text, "ID",
             "local IKE identity, IPv4 or FQDN (default: the gateway's public IP)"},
    FlagSpec{"--remote-id", "ike.remote_id", FlagKind::text, "ID",
             "remote IKE identity, IPv4 or FQDN (default: the customer gateway's IP)"},
    // Tunnel: IPsec policy (phase 2).
    FlagSpec{"--esp-enc", "ipsec.encryption", FlagKind::text, "CIPHER",
             "des, 3des, aes128, aes192, aes256, aes128gcm, aes256gcm"},
    FlagSpec{"--esp-auth", "ipsec.integrity", FlagKind::text, "HASH",
             "md5, sha1, sha256 (ignored with GCM)"},
    FlagSpec{"--pfs", "ipsec.pfs", FlagKind::text, "GROUP",
             "PFS DH group: disable, 1, 2, 5, 14, 24, 19, 20, 21, 31"},
    FlagSpec{"--esp-lifetime", "ipsec.lifetime", FlagKind::integer, "SECONDS",
             "IPsec SA lifetime: 3600-86400"},
    FlagSpec{"--esp-lifetime-kb", "ipsec.lifetime_kb", FlagKind::integer, "KB",
             "IPsec SA volume limit: 0 (none) or 1024-4294967295"},
    FlagSpec{"--esn", "ipsec.esn", FlagKind::boolean, "BOOL",
             "extended sequence numbers (bare flag = true)"},
    // Tunnel: liveness and behaviour.
    FlagSpec{"--dpd-delay", "dpd.delay", FlagKind::integer, "SECONDS",
             "DPD interval: 0 (off) or 1-3600"},
    FlagSpec{"--dpd-timeout", "dpd.timeout", FlagKind::integer, "SECONDS",
             "DPD timeout: greater than the delay, at most 86400"},
    FlagSpec{"--dpd-action", "dpd.action", FlagKind::text, "ACTION", "clear, hold or restart"},
    FlagSpec{"--start-action", "start_action", FlagKind::text, "ACTION",
             "start, trap or respond"},
    FlagSpec{"--auto-route", "auto_route", FlagKind::boolean, "BOOL",
             "route the peer CIDRs to the gateway while connected (bare flag = true)"},
    // Manually keyed SAs.
    FlagSpec{"--tunnel", "tunnel", FlagKind::text, "TUNNEL", "VPN tunnel, by ID or name"},
    FlagSpec{"--direction", "direction", FlagKind::text, "DIR", "in or out"},
    FlagSpec{"--spi", "spi", FlagKind::text, "SPI", "SPI, 256-4294967295, decimal or 0x-hex"},
    FlagSpec{"--enc", "encryption", FlagKind::text, "CIPHER",
             "des, 3des, aes128, aes192, aes256, aes128gcm, aes256gcm"},
    FlagSpec{"--enc-key", "enc_key", FlagKind::text, "HEX",
             "encryption key in hex (GCM: key followed by the 4-byte salt)"},
    FlagSpec{"--auth", "integrity", FlagKind::text, "HASH", "md5, sha1, sha256, or none with GCM"},
    FlagSpec{"--auth-key", "auth_key", FlagKind::text, "HEX", "integrity key in hex"},
    FlagSpec{"--udp-encap", "udp_encap", FlagKind::boolean, "BOOL",
             "ESP in UDP 4500 (RFC 3948) (bare flag = true)"},
    FlagSpec{"--replay-window", "replay_window", FlagKind::integer, "PACKETS",
             "inbound anti-replay window: 0 (off) or 32-4096 (default 1024)"},
    // Tunnel configuration export.
    FlagSpec{"--vendor", "vendor", FlagKind::text, "VENDOR",
             "strongswan, swanctl, cisco-ios, juniper-srx, ..."},
    FlagSpec{"--output", "", FlagKind::local, "FILE",
             "write the configuration to FILE (mode 0600) instead of stdout"},
    // Connection log.
    FlagSpec{"--limit", "limit", FlagKind::integer, "N", "only the newest N lines (default: all kept)"},
};

}  // namespace

const FlagSpec* find_flag(std::string_view name) {
  for (const auto& flag : kFlags)
    if (flag.name == name) return &flag;
  return nullptr;
}

const FlagSpec* find_flag_for_param(std::string_view param) {
  if (param.empty()) return nullptr;
  for (const auto& flag : kFlags)
    if (flag.param == param) return &flag;
  return nullptr;
}

}  // namespace vpngw::cli
