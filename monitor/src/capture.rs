//! Capture files: streaming pcap/pcapng reader (and, later, the pcapng writer).
