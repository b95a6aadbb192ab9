// vpngwd: the appliance daemon. Brings up the store, the resource service,
// DPDK's EAL and ports, and serves the JSON API on the control thread until
// SIGTERM or SIGINT.
#include <grp.h>
#include <signal.h>
#include <sodium.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>

#include "control/api_dispatch.hpp"
#include "control/daemon_config.hpp"
#include "control/dataplane_runtime.hpp"
#include "control/ike/ike_runtime.hpp"
#include "control/resource_service.hpp"
#include "control/server/api_server.hpp"
#include "control/server/event_loop.hpp"
#include "control/server/signal_stopper.hpp"
#include "control/store/sqlite_store.hpp"
#include "dataplane/eal.hpp"

namespace vpngw {
namespace {

struct CommandLine {
  std::string config_path;
  std::string state_dir;
  std::string socket_path;
  std::string log_level;
  std::vector<std::string> eal_args;
  bool eal_args_given = false;
};

// Everything after "--" belongs to DPDK's EAL; the rest is ours.
int parse_command_line(int argc, char** argv, CommandLine& cl) {
  int ours = argc;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--") {
      ours = i;
      cl.eal_args_given = true;
      for (int j = i + 1; j < argc; ++j) cl.eal_args.emplace_back(argv[j]);
      break;
    }
  }
  CLI::App app{"vpngwd: IPsec VPN gateway daemon", "vpngwd"};
  app.add_option("--config", cl.config_path, "TOML configuration file")->check(CLI::ExistingFile);
  app.add_option("--state-dir", cl.state_dir, "directory for the database and key file (overrides daemon.state_dir)");
  app.add_option("--socket", cl.socket_path, "API socket path (overrides api.socket)");
  app.add_option("--log-level", cl.log_level, "trace, debug, info, warn, error");
  app.footer("Arguments after -- are passed to DPDK's EAL, e.g. -- --no-huge -m 512 --no-pci --vdev=net_null0 --vdev=net_null1 -l 0-1");
  try {
    app.parse(ours, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? -1 : 2;
  }
  return 0;
}

// Keeps the workers' tables and the IKE engine in step with the resource
// model: tables first, so a tunnel's SPD slot exists before its SAs do.
class DataplaneSync final : public ResourceObserver {
 public:
  DataplaneSync(const ResourceService& service, DataplaneRuntime& dataplane, ike_glue::IkeRuntime& ike)
      : service_(service), dataplane_(dataplane), ike_(ike) {}
  void on_committed(const ChangeSet&) override { sync(); }
  void sync() {
    dataplane_.sync(service_.state());
    ike_.configure();
  }

 private:
  const ResourceService& service_;
  DataplaneRuntime& dataplane_;
  ike_glue::IkeRuntime& ike_;
};

Json port_json(const PortConfig& port) {
  Json j{{"port", port.port}};
  dataplane::PortInfo info;
  if (dataplane::port_info(port.port, &info)) {
    j["driver"] = info.driver;
    j["mac"] = info.mac;
  }
  if (port.host && port.address) j["address"] = port.host->str() + "/" + std::to_string(port.address->len);
  if (port.next_hop) j["next_hop"] = port.next_hop->str();
  return j;
}

int run(int argc, char** argv) {
  CommandLine cl;
  if (int rc = parse_command_line(argc, argv, cl); rc != 0) return rc < 0 ? 0 : rc;

  auto logger = spdlog::stderr_color_mt("vpngwd");
  spdlog::set_default_logger(logger);

  DaemonConfig cfg;
  if (!cl.config_path.empty()) {
    auto loaded = load_daemon_config(cl.config_path);
    if (!loaded) {
      spdlog::critical("config {}: {}: {}", cl.config_path, loaded.error().field, loaded.error().message);
      return 2;
    }
    cfg = std::move(*loaded);
  }
  if (!cl.state_dir.empty()) cfg.state_dir = cl.state_dir;
  if (!cl.socket_path.empty()) cfg.socket_path = cl.socket_path;
  if (!cl.log_level.empty()) cfg.log_level = cl.log_level;
  if (cl.eal_args_given) cfg.eal_args = cl.eal_args;
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));

  // Signals are blocked before DPDK starts its threads, so they inherit the
  // mask and SIGTERM reaches the control loop's signalfd.
  EventLoop loop;
  SignalStopper stopper(loop, {SIGTERM, SIGINT});

  if (sodium_init() < 0) {
    spdlog::critical("libsodium failed to initialise");
    return 1;
  }

  std::optional<gid_t> api_gid;
  if (!cfg.api_group.empty()) {
    const group* g = getgrnam(cfg.api_group.c_str());
    if (!g) {
      spdlog::critical("api.group: no such group '{}'", cfg.api_group);
      return 2;
    }
    api_gid = g->gr_gid;
  }

  std::error_code ec;
  std::filesystem::create_directories(cfg.state_dir, ec);
  if (ec) {
    spdlog::critical("state dir {}: {}", cfg.state_dir, ec.message());
    return 1;
  }
  chmod(cfg.state_dir.c_str(), 0700);

  // One daemon per state directory: a second one would fight over the
  // database and the API socket. The lock dies with the process.
  const std::string lock_path = cfg.state_dir + "/vpngwd.lock";
  int lock_fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    spdlog::critical("state dir {}: another vpngwd is using it ({})", cfg.state_dir, lock_path);
    return 1;
  }

  auto store = SqliteStore::open(cfg.state_dir);
  if (!store) {
    spdlog::critical("store: {}", store.error().message);
    return 1;
  }
  ResourceService service({.store = **store,
                           .quotas = cfg.quotas,
                           .now_unix = [] { return static_cast<int64_t>(time(nullptr)); },
                           .new_id = [](std::string_view p) { return random_resource_id(p); }});
  if (auto err = service.load()) {
    spdlog::critical("store: {}", err->message);
    return 1;
  }
  const auto& st = service.state();
  spdlog::info("loaded {} VPCs, {} VPN gateways, {} customer gateways, {} tunnels, {} routes from {}",
               st.vpcs.size(), st.gateways.size(), st.customer_gateways.size(), st.tunnels.size(),
               st.routes.size(), cfg.state_dir);

  if (auto err = dataplane::eal_init(cfg.eal_args); !err.empty()) {
    spdlog::critical("DPDK: {}", err);
    return 1;
  }
  for (const auto& [role, port] : {std::pair{"public", &cfg.public_port}, std::pair{"private", &cfg.private_port}}) {
    dataplane::PortInfo info;
    if (!dataplane::port_info(port->port, &info)) {
      spdlog::critical("ports.{}.port: DPDK port {} does not exist ({} ports available)", role, port->port,
                       dataplane::port_count());
      dataplane::eal_cleanup();
      return 1;
    }
    spdlog::info("{} port: DPDK port {} ({}, {})", role, info.port_id, info.driver, info.mac);
  }

  DataplaneRuntime dataplane;
  std::string why_down;
  if (auto err = dataplane.start(cfg, &why_down); !err.empty()) {
    spdlog::critical("dataplane: {}", err);
    dataplane.stop();
    dataplane::eal_cleanup();
    return 1;
  }
  if (dataplane.running())
    spdlog::info("dataplane: ports started, workers polling");
  else
    spdlog::warn("dataplane stays down: {}", why_down);
  ike_glue::IkeRuntime ike(service, dataplane);
  DataplaneSync dataplane_sync(service, dataplane, ike);
  service.set_observer(&dataplane_sync);
  dataplane_sync.sync();
  BenchSaDriver bench(cfg.bench, dataplane.sa_tables_for_bench());  // [bench] knobs: scripts/bench only
  loop.add_timer(std::chrono::milliseconds(5), [&] {
    bench.tick(service.state());
    ike.poll();
    dataplane.reclaim();
  }, true);

  const auto started = std::chrono::steady_clock::now();
  auto info = [&]() {
    auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
    return Json{{"version", VPNGW_VERSION},
                {"api_version", kApiVersion},
                {"pid", getpid()},
                {"uptime_s", up.count()},
                {"state_dir", cfg.state_dir},
                {"socket", cfg.socket_path},
                {"ports", {{"public", port_json(cfg.public_port)}, {"private", port_json(cfg.private_port)}}},
                {"dataplane", dataplane.counters()},
                {"ike", ike.counters()}};
  };
  ApiDispatcher dispatcher(service, info);
  if (dataplane.running())
    dispatcher.set_tunnel_counters([&](const std::string& id) { return dataplane.tunnel_counters(id); });
  if (dataplane.running()) dispatcher.set_neighbours([&] { return dataplane.neighbours(); });
  dispatcher.set_tunnel_ike([&](const std::string& id) { return ike.tunnel_ike(id); });
  dispatcher.set_tunnel_logs([&](const std::string& id, size_t limit) { return ike.tunnel_logs(id, limit); });

  ApiServerOptions opts;
  opts.socket_path = cfg.socket_path;
  opts.allowed_group = api_gid;
  opts.client_timeout = std::chrono::milliseconds(cfg.client_timeout_ms);
  opts.max_clients = cfg.max_clients;
  ApiServer server(loop, opts, [&](std::string_view line, const PeerCred&) { return dispatcher.handle(line); });
  if (auto err = server.start()) {
    spdlog::critical("api: {}", err->message);
    dataplane.stop();
    dataplane::eal_cleanup();
    return 1;
  }
  spdlog::info("vpngwd {} serving the API on {}", VPNGW_VERSION, cfg.socket_path);
  loop.run();
  spdlog::info("signal {}: shutting down", stopper.received_signal());
  server.stop();
  service.set_observer(nullptr);
  dataplane.stop();
  dataplane::eal_cleanup();
  return 0;
}

}  // namespace
}  // namespace vpngw

int main(int argc, char** argv) { return vpngw::run(argc, argv); }
