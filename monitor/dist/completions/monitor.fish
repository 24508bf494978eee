# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_monitor_global_optspecs
    string join \n h/help V/version
end

function __fish_monitor_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_monitor_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_monitor_using_subcommand
    set -l cmd (__fish_monitor_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c monitor -n "__fish_monitor_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c monitor -n "__fish_monitor_needs_command" -s V -l version -d 'Print version'
complete -c monitor -n "__fish_monitor_needs_command" -f -a "run" -d 'Attach to interfaces and serve metrics (the daemon)'
complete -c monitor -n "__fish_monitor_needs_command" -f -a "read" -d 'Read a pcap/pcapng file through the same pipeline (tshark\'s flags)'
complete -c monitor -n "__fish_monitor_needs_command" -f -a "capture" -d 'Capture live on interfaces and print packets as they arrive (like `tshark -i`; needs root)'
complete -c monitor -n "__fish_monitor_needs_command" -f -a "tail" -d 'Follow the running daemon\'s samples as they come (its filter applied in the daemon), printed as `read` prints them'
complete -c monitor -n "__fish_monitor_needs_command" -f -a "filter" -d 'Work with display filters'
complete -c monitor -n "__fish_monitor_needs_command" -f -a "dump" -d 'Fetch a pcapng of the running daemon\'s flight recorder'
complete -c monitor -n "__fish_monitor_needs_command" -f -a "status" -d 'Show the running daemon\'s interfaces, rules, uptime, reloads and losses'
complete -c monitor -n "__fish_monitor_needs_command" -f -a "config" -d 'Work with configuration files'
complete -c monitor -n "__fish_monitor_needs_command" -f -a "fields" -d 'List every known protocol and field, in the columns of `tshark -G fields`'
complete -c monitor -n "__fish_monitor_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c monitor -n "__fish_monitor_using_subcommand run" -s c -l config -d 'Configuration file (TOML). Without it, built-in defaults apply' -r -F
complete -c monitor -n "__fish_monitor_using_subcommand run" -s i -l iface -d 'Interface to monitor (repeatable). Default: the config\'s interfaces, else the default route\'s interface' -r
complete -c monitor -n "__fish_monitor_using_subcommand run" -l listen -d 'Address of the HTTP server (`/metrics`) [default: 127.0.0.1:9477]' -r
complete -c monitor -n "__fish_monitor_using_subcommand run" -l xdp-mode -d 'XDP attach mode: auto tries driver mode, then falls back to SKB mode [default: auto]' -r -f -a "auto\t'Driver (native) mode, falling back to SKB (generic) mode'
driver\t'Driver mode only'
skb\t'SKB (generic) mode only'"
complete -c monitor -n "__fish_monitor_using_subcommand run" -l sample -d 'Fraction of packets sampled to user space, 0 to 1 [default: 0.01]' -r
complete -c monitor -n "__fish_monitor_using_subcommand run" -l snaplen -d 'Bytes of each sampled packet sent to user space, 1 to 2048 [default: 256]' -r
complete -c monitor -n "__fish_monitor_using_subcommand run" -l ring-bytes -d 'Size of each ring buffer in bytes, a power of two [default: 8388608]' -r
complete -c monitor -n "__fish_monitor_using_subcommand run" -l dump-dir -d 'Directory for dumps written on SIGUSR1 and by triggers [default: the config\'s `dump_dir`, else /var/lib/monitor/dumps]' -r -F
complete -c monitor -n "__fish_monitor_using_subcommand run" -l summary -d 'Print a traffic summary on stderr each second in which packets were seen'
complete -c monitor -n "__fish_monitor_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c monitor -n "__fish_monitor_using_subcommand read" -s r -d 'Capture file to read (pcap or pcapng)' -r -F
complete -c monitor -n "__fish_monitor_using_subcommand read" -s Y -d 'Display filter: print only the packets it matches (tshark\'s `-Y`)' -r
complete -c monitor -n "__fish_monitor_using_subcommand read" -s T -d 'Output format: text, fields or json' -r
complete -c monitor -n "__fish_monitor_using_subcommand read" -s e -d 'Field to print with `-T fields` / `-T json` (repeatable)' -r
complete -c monitor -n "__fish_monitor_using_subcommand read" -s E -d 'Output option for `-T fields`: separator=…, occurrence=f|l|a, aggregator=…, header=y|n, quote=d|s|n, bom=y (repeatable)' -r
complete -c monitor -n "__fish_monitor_using_subcommand read" -s c -d 'Stop after this many packets' -r
complete -c monitor -n "__fish_monitor_using_subcommand read" -s h -l help -d 'Print help'
complete -c monitor -n "__fish_monitor_using_subcommand capture" -s i -d 'Interface to capture on (repeatable) [default: the default route\'s]' -r
complete -c monitor -n "__fish_monitor_using_subcommand capture" -s Y -d 'Display filter: print only the packets it matches (tshark\'s `-Y`)' -r
complete -c monitor -n "__fish_monitor_using_subcommand capture" -s T -d 'Output format: text, fields or json' -r
complete -c monitor -n "__fish_monitor_using_subcommand capture" -s e -d 'Field to print with `-T fields` / `-T json` (repeatable)' -r
complete -c monitor -n "__fish_monitor_using_subcommand capture" -s E -d 'Output option for `-T fields`: separator=…, occurrence=f|l|a, aggregator=…, header=y|n, quote=d|s|n, bom=y (repeatable)' -r
complete -c monitor -n "__fish_monitor_using_subcommand capture" -s c -d 'Stop after this many packets' -r
complete -c monitor -n "__fish_monitor_using_subcommand capture" -s w -d 'Also write the packets printed to this pcapng file' -r -F
complete -c monitor -n "__fish_monitor_using_subcommand capture" -s a -d 'Stop condition: duration:SECONDS or packets:N' -r
complete -c monitor -n "__fish_monitor_using_subcommand capture" -s s -l snaplen -d 'Bytes captured per frame, 1 to 2048' -r
complete -c monitor -n "__fish_monitor_using_subcommand capture" -s B -d 'Size of the kernel ring buffer in MiB, a power of two from 1 to 1024: room for bursts while this process is not scheduled' -r
complete -c monitor -n "__fish_monitor_using_subcommand capture" -l xdp-mode -d 'XDP attach mode: auto tries driver mode, then falls back to SKB mode' -r -f -a "auto\t'Driver (native) mode, falling back to SKB (generic) mode'
driver\t'Driver mode only'
skb\t'SKB (generic) mode only'"
complete -c monitor -n "__fish_monitor_using_subcommand capture" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c monitor -n "__fish_monitor_using_subcommand tail" -l connect -d 'Address of the daemon\'s HTTP API [default: `listen` in the configuration file, else 127.0.0.1:9477]' -r
complete -c monitor -n "__fish_monitor_using_subcommand tail" -l token-file -d 'File holding the bearer token, when the daemon requires one [default: `token_file` in the configuration file]' -r -F
complete -c monitor -n "__fish_monitor_using_subcommand tail" -l config -d 'The daemon\'s configuration file, read for `listen` and `token_file` [default: /etc/monitor/monitor.toml when it exists]' -r -F
complete -c monitor -n "__fish_monitor_using_subcommand tail" -s Y -d 'Display filter: print only the packets it matches (tshark\'s `-Y`)' -r
complete -c monitor -n "__fish_monitor_using_subcommand tail" -s T -d 'Output format: text, fields or json' -r
complete -c monitor -n "__fish_monitor_using_subcommand tail" -s e -d 'Field to print with `-T fields` / `-T json` (repeatable)' -r
complete -c monitor -n "__fish_monitor_using_subcommand tail" -s E -d 'Output option for `-T fields`: separator=…, occurrence=f|l|a, aggregator=…, header=y|n, quote=d|s|n, bom=y (repeatable)' -r
complete -c monitor -n "__fish_monitor_using_subcommand tail" -s c -d 'Stop after this many packets' -r
complete -c monitor -n "__fish_monitor_using_subcommand tail" -s w -d 'Also write the packets printed to this pcapng file' -r -F
complete -c monitor -n "__fish_monitor_using_subcommand tail" -l all -d 'Have the daemon sample every frame the filter\'s kernel part accepts while this runs (a temporary kernel rule, removed when this client goes away however it ends)'
complete -c monitor -n "__fish_monitor_using_subcommand tail" -s h -l help -d 'Print help'
complete -c monitor -n "__fish_monitor_using_subcommand filter; and not __fish_seen_subcommand_from verify check explain help" -s h -l help -d 'Print help'
complete -c monitor -n "__fish_monitor_using_subcommand filter; and not __fish_seen_subcommand_from verify check explain help" -f -a "verify" -d 'Run a capture through the kernel program and the exact evaluator and compare (needs root)'
complete -c monitor -n "__fish_monitor_using_subcommand filter; and not __fish_seen_subcommand_from verify check explain help" -f -a "check" -d 'Parse and type-check an expression; print it normalised'
complete -c monitor -n "__fish_monitor_using_subcommand filter; and not __fish_seen_subcommand_from verify check explain help" -f -a "explain" -d 'Show the part of a filter the kernel can decide, as a decision graph'
complete -c monitor -n "__fish_monitor_using_subcommand filter; and not __fish_seen_subcommand_from verify check explain help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c monitor -n "__fish_monitor_using_subcommand filter; and __fish_seen_subcommand_from verify" -s r -d 'Capture file' -r -F
complete -c monitor -n "__fish_monitor_using_subcommand filter; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c monitor -n "__fish_monitor_using_subcommand filter; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c monitor -n "__fish_monitor_using_subcommand filter; and __fish_seen_subcommand_from explain" -s h -l help -d 'Print help'
complete -c monitor -n "__fish_monitor_using_subcommand filter; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Run a capture through the kernel program and the exact evaluator and compare (needs root)'
complete -c monitor -n "__fish_monitor_using_subcommand filter; and __fish_seen_subcommand_from help" -f -a "check" -d 'Parse and type-check an expression; print it normalised'
complete -c monitor -n "__fish_monitor_using_subcommand filter; and __fish_seen_subcommand_from help" -f -a "explain" -d 'Show the part of a filter the kernel can decide, as a decision graph'
complete -c monitor -n "__fish_monitor_using_subcommand filter; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c monitor -n "__fish_monitor_using_subcommand dump" -l connect -d 'Address of the daemon\'s HTTP API [default: `listen` in the configuration file, else 127.0.0.1:9477]' -r
complete -c monitor -n "__fish_monitor_using_subcommand dump" -l token-file -d 'File holding the bearer token, when the daemon requires one [default: `token_file` in the configuration file]' -r -F
complete -c monitor -n "__fish_monitor_using_subcommand dump" -l config -d 'The daemon\'s configuration file, read for `listen` and `token_file` [default: /etc/monitor/monitor.toml when it exists]' -r -F
complete -c monitor -n "__fish_monitor_using_subcommand dump" -s o -l output -d 'Output file (`-` for standard output)' -r -F
complete -c monitor -n "__fish_monitor_using_subcommand dump" -l filter -d 'Only packets matching this display filter' -r
complete -c monitor -n "__fish_monitor_using_subcommand dump" -l last -d 'Only the last DURATION (e.g. 30s, 5m)' -r
complete -c monitor -n "__fish_monitor_using_subcommand dump" -s h -l help -d 'Print help'
complete -c monitor -n "__fish_monitor_using_subcommand status" -l connect -d 'Address of the daemon\'s HTTP API [default: `listen` in the configuration file, else 127.0.0.1:9477]' -r
complete -c monitor -n "__fish_monitor_using_subcommand status" -l token-file -d 'File holding the bearer token, when the daemon requires one [default: `token_file` in the configuration file]' -r -F
complete -c monitor -n "__fish_monitor_using_subcommand status" -l config -d 'The daemon\'s configuration file, read for `listen` and `token_file` [default: /etc/monitor/monitor.toml when it exists]' -r -F
complete -c monitor -n "__fish_monitor_using_subcommand status" -l json -d 'Print the JSON document as the daemon sent it'
complete -c monitor -n "__fish_monitor_using_subcommand status" -s h -l help -d 'Print help'
complete -c monitor -n "__fish_monitor_using_subcommand config; and not __fish_seen_subcommand_from check help" -s h -l help -d 'Print help'
complete -c monitor -n "__fish_monitor_using_subcommand config; and not __fish_seen_subcommand_from check help" -f -a "check" -d 'Parse and fully validate a configuration file: every filter compiled, every trigger\'s metric, labels and rule names checked, and every interface looked up on this host'
complete -c monitor -n "__fish_monitor_using_subcommand config; and not __fish_seen_subcommand_from check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c monitor -n "__fish_monitor_using_subcommand config; and __fish_seen_subcommand_from check" -l no-host-check -d 'Do not look the interfaces up on this host (for a configuration written for another one)'
complete -c monitor -n "__fish_monitor_using_subcommand config; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c monitor -n "__fish_monitor_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "check" -d 'Parse and fully validate a configuration file: every filter compiled, every trigger\'s metric, labels and rule names checked, and every interface looked up on this host'
complete -c monitor -n "__fish_monitor_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c monitor -n "__fish_monitor_using_subcommand fields" -s h -l help -d 'Print help'
complete -c monitor -n "__fish_monitor_using_subcommand help; and not __fish_seen_subcommand_from run read capture tail filter dump status config fields help" -f -a "run" -d 'Attach to interfaces and serve metrics (the daemon)'
complete -c monitor -n "__fish_monitor_using_subcommand help; and not __fish_seen_subcommand_from run read capture tail filter dump status config fields help" -f -a "read" -d 'Read a pcap/pcapng file through the same pipeline (tshark\'s flags)'
complete -c monitor -n "__fish_monitor_using_subcommand help; and not __fish_seen_subcommand_from run read capture tail filter dump status config fields help" -f -a "capture" -d 'Capture live on interfaces and print packets as they arrive (like `tshark -i`; needs root)'
complete -c monitor -n "__fish_monitor_using_subcommand help; and not __fish_seen_subcommand_from run read capture tail filter dump status config fields help" -f -a "tail" -d 'Follow the running daemon\'s samples as they come (its filter applied in the daemon), printed as `read` prints them'
complete -c monitor -n "__fish_monitor_using_subcommand help; and not __fish_seen_subcommand_from run read capture tail filter dump status config fields help" -f -a "filter" -d 'Work with display filters'
complete -c monitor -n "__fish_monitor_using_subcommand help; and not __fish_seen_subcommand_from run read capture tail filter dump status config fields help" -f -a "dump" -d 'Fetch a pcapng of the running daemon\'s flight recorder'
complete -c monitor -n "__fish_monitor_using_subcommand help; and not __fish_seen_subcommand_from run read capture tail filter dump status config fields help" -f -a "status" -d 'Show the running daemon\'s interfaces, rules, uptime, reloads and losses'
complete -c monitor -n "__fish_monitor_using_subcommand help; and not __fish_seen_subcommand_from run read capture tail filter dump status config fields help" -f -a "config" -d 'Work with configuration files'
complete -c monitor -n "__fish_monitor_using_subcommand help; and not __fish_seen_subcommand_from run read capture tail filter dump status config fields help" -f -a "fields" -d 'List every known protocol and field, in the columns of `tshark -G fields`'
complete -c monitor -n "__fish_monitor_using_subcommand help; and not __fish_seen_subcommand_from run read capture tail filter dump status config fields help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c monitor -n "__fish_monitor_using_subcommand help; and __fish_seen_subcommand_from filter" -f -a "verify" -d 'Run a capture through the kernel program and the exact evaluator and compare (needs root)'
complete -c monitor -n "__fish_monitor_using_subcommand help; and __fish_seen_subcommand_from filter" -f -a "check" -d 'Parse and type-check an expression; print it normalised'
complete -c monitor -n "__fish_monitor_using_subcommand help; and __fish_seen_subcommand_from filter" -f -a "explain" -d 'Show the part of a filter the kernel can decide, as a decision graph'
complete -c monitor -n "__fish_monitor_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "check" -d 'Parse and fully validate a configuration file: every filter compiled, every trigger\'s metric, labels and rule names checked, and every interface looked up on this host'
