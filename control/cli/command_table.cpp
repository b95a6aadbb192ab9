#include "control/cli/command_table.hpp"

#include <array>
#include <cstddef>

namespace vpngw::cli {
namespace {

template <size_t A, size_t B>
constexpr std::array<FlagUse, A + B> concat(const std::array<FlagUse, A>& a,
                                            const std::array<FlagUse, B>& b) {
  std::array<FlagUse, A + B> out{};
  for (size_t i = 0; i < A; ++i) out[i] = a[i];
  for (size_t i = 0; i < B; ++i) out[A + i] = b[i];
  return out;
}

constexpr std::array<FlagUse, 0> kNoFlags{};

constexpr std::array kVpcCreate{FlagUse{"--name", true}, FlagUse{"--cidr", true}};
constexpr std::array kVpcModify{FlagUse{"--name"}, FlagUse{"--cidr"}};

constexpr std::array kGatewayCreate{FlagUse{"--name", true}, FlagUse{"--vpc", true},
                                    FlagUse{"--public-ip", true},
                                    FlagUse{"--bandwidth", true}};
constexpr std::array kGatewayModify{FlagUse{"--bandwidth"}, FlagUse{"--name"}};
constexpr std::array kByVpc{FlagUse{"--vpc"}};

constexpr std::array kCustomerGatewayCreate{FlagUse{"--name", true},
                                            FlagUse{"--public-ip", true}};
constexpr std::array kCustomerGatewayModify{FlagUse{"--name", true}};

// The policy flags a tunnel takes at create and at modify, all optional:
// the daemon fills in defaults (create) or keeps current values (modify).
constexpr std::array kTunnelPolicy{
    FlagUse{"--ike-version"},   FlagUse{"--ike-mode"},     FlagUse{"--ike-enc"},
    FlagUse{"--ike-auth"},      FlagUse{"--ike-dh"},       FlagUse{"--ike-lifetime"},
    FlagUse{"--local-id"},      FlagUse{"--remote-id"},    FlagUse{"--esp-enc"},
    FlagUse{"--esp-auth"},      FlagUse{"--pfs"},          FlagUse{"--esp-lifetime"},
    FlagUse{"--esp-lifetime-kb"}, FlagUse{"--esn"},        FlagUse{"--dpd-delay"},
    FlagUse{"--dpd-timeout"},   FlagUse{"--dpd-action"},   FlagUse{"--start-action"},
    FlagUse{"--auto-route"},
};
constexpr auto kTunnelCreate = concat(
    std::array{FlagUse{"--name", true}, FlagUse{"--gateway", true},
               FlagUse{"--customer-gateway", true}, FlagUse{"--psk", true},
               FlagUse{"--spd", true}},
    kTunnelPolicy);
constexpr auto kTunnelModify = concat(
    std::array{FlagUse{"--name"}, FlagUse{"--psk"}, FlagUse{"--spd"}}, kTunnelPolicy);
constexpr std::array kByGateway{FlagUse{"--gateway"}};
constexpr std::array kTunnelConfig{FlagUse{"--vendor", true}, FlagUse{"--output"}};
constexpr std::array kTunnelLogs{FlagUse{"--limit"}};

constexpr std::array kRouteCreate{FlagUse{"--vpc", true}, FlagUse{"--destination", true},
                                  FlagUse{"--gateway", true}};
constexpr std::array kRouteModify{FlagUse{"--gateway", true}};

constexpr std::array kSaCreate{FlagUse{"--tunnel", true}, FlagUse{"--direction", true},
                              FlagUse{"--spi", true},    FlagUse{"--enc", true},
                              FlagUse{"--enc-key", true}, FlagUse{"--auth"},
                              FlagUse{"--auth-key"},     FlagUse{"--udp-encap"},
                              FlagUse{"--replay-window"}};
constexpr std::array kByTunnel{FlagUse{"--tunnel"}};

constexpr std::array kResources{
    ResourceSpec{"vpc", "VPCs: the private networks the appliance serves"},
    ResourceSpec{"gateway", "VPN gateways: a public IP and a bandwidth cap in a VPC"},
    ResourceSpec{"customer-gateway", "customer gateways: the peers' IPsec devices"},
    ResourceSpec{"tunnel", "VPN tunnels between a VPN gateway and a customer gateway"},
    ResourceSpec{"route", "VPC routes: destination CIDR -> VPN gateway"},
    ResourceSpec{"sa", "manually keyed ESP SAs of a tunnel (peers without IKE)"},
    ResourceSpec{"neighbour", "the ARP cache: next hops and on-link hosts the ports resolved"},
    ResourceSpec{"info", "show the daemon's version, uptime and ports"},
};

constexpr std::array kCommands{
    CommandSpec{"vpc", "create", "vpc.create", false, kVpcCreate, "create a VPC"},
    CommandSpec{"vpc", "list", "vpc.list", false, kNoFlags, "list VPCs"},
    CommandSpec{"vpc", "show", "vpc.show", true, kNoFlags, "show a VPC"},
    CommandSpec{"vpc", "modify", "vpc.modify", true, kVpcModify,
                "rename a VPC or replace its CIDRs"},
    CommandSpec{"vpc", "delete", "vpc.delete", true, kNoFlags, "delete a VPC"},

    CommandSpec{"gateway", "create", "gateway.create", false, kGatewayCreate,
                "create a VPN gateway"},
    CommandSpec{"gateway", "list", "gateway.list", false, kByVpc, "list VPN gateways"},
    CommandSpec{"gateway", "show", "gateway.show", true, kNoFlags, "show a VPN gateway"},
    CommandSpec{"gateway", "modify", "gateway.modify", true, kGatewayModify,
                "change a VPN gateway's bandwidth cap or name"},
    CommandSpec{"gateway", "delete", "gateway.delete", true, kNoFlags,
                "delete a VPN gateway"},

    CommandSpec{"customer-gateway", "create", "customer_gateway.create", false,
                kCustomerGatewayCreate, "create a customer gateway"},
    CommandSpec{"customer-gateway", "list", "customer_gateway.list", false, kNoFlags,
                "list customer gateways"},
    CommandSpec{"customer-gateway", "show", "customer_gateway.show", true, kNoFlags,
                "show a customer gateway"},
    CommandSpec{"customer-gateway", "modify", "customer_gateway.modify", true,
                kCustomerGatewayModify, "rename a customer gateway"},
    CommandSpec{"customer-gateway", "delete", "customer_gateway.delete", true, kNoFlags,
                "delete a customer gateway"},

    CommandSpec{"tunnel", "create", "tunnel.create", false, kTunnelCreate,
                "create a VPN tunnel"},
    CommandSpec{"tunnel", "list", "tunnel.list", false, kByGateway, "list VPN tunnels"},
    CommandSpec{"tunnel", "show", "tunnel.show", true, kNoFlags, "show a VPN tunnel"},
    CommandSpec{"tunnel", "modify", "tunnel.modify", true, kTunnelModify,
                "change a VPN tunnel's name, key, SPD or policies"},
    CommandSpec{"tunnel", "delete", "tunnel.delete", true, kNoFlags,
                "delete a VPN tunnel (and its automatic routes)"},
    CommandSpec{"tunnel", "config", "tunnel.config", true, kTunnelConfig,
                "print the customer-side configuration for a vendor's device"},
    CommandSpec{"tunnel", "status", "tunnel.status", true, kNoFlags,
                "show a tunnel's connection status, SAs and counters"},
    CommandSpec{"tunnel", "logs", "tunnel.logs", true, kTunnelLogs,
                "show a tunnel's connection log (IKE exchanges, SAs, DPD, retries)"},

    CommandSpec{"route", "create", "route.create", false, kRouteCreate, "create a VPC route"},
    CommandSpec{"route", "list", "route.list", false, kByVpc, "list VPC routes"},
    CommandSpec{"route", "show", "route.show", true, kNoFlags, "show a route"},
    CommandSpec{"route", "modify", "route.modify", true, kRouteModify,
                "point a route at another VPN gateway"},
    CommandSpec{"route", "delete", "route.delete", true, kNoFlags,
                "delete a static route"},

    CommandSpec{"sa", "create", "sa.create", false, kSaCreate, "create a manually keyed SA"},
    CommandSpec{"sa", "list", "sa.list", false, kByTunnel, "list manually keyed SAs"},
    CommandSpec{"sa", "show", "sa.show", true, kNoFlags, "show a manually keyed SA"},
    CommandSpec{"sa", "delete", "sa.delete", true, kNoFlags, "delete a manually keyed SA"},

    CommandSpec{"neighbour", "list", "neighbour.list", false, kNoFlags,
                "list the neighbour (ARP) cache: port, IP, MAC, state, age"},

    CommandSpec{"info", "", "daemon.info", false, kNoFlags,
                "show the daemon's version, uptime and ports"},
};

}  // namespace

std::span<const ResourceSpec> resource_specs() { return kResources; }

std::span<const CommandSpec> command_specs() { return kCommands; }

const CommandSpec* find_command(std::string_view resource, std::string_view verb) {
  for (const auto& command : kCommands)
    if (command.resource == resource && command.verb == verb) return &command;
  return nullptr;
}

}  // namespace vpngw::cli
