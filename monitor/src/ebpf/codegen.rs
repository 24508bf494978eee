//! Rule compiler: turns the decision graphs of the kernel rules into one
//! straight-line eBPF program.
//!
//! The generated program is the rules stage of the XDP and TC programs
//! (`monitor-ebpf`): they parse the frame into the per-CPU `SCRATCH` value
//! and tail-call it; it tests every rule's nodes against the parsed fields
//! with compare-and-jump instructions, writes the bitmap of matching slots
//! (and whether a matching rule sampled the frame) back into `SCRATCH`, and
//! tail-calls the finishing stage. Jumps only go forward, so the verifier
//! sees a loop-free program and its cost is a handful of instructions per
//! node actually visited.
//!
//! This module only produces instructions; [`super::sys`] loads them.

use monitor_common::{
    rules::{field_loc, op, stage, RuleNode, ACCEPT, CANDIDATE, REJECT},
    Config, Scratch,
};

/// One eBPF instruction, as the kernel reads it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Insn {
    /// Opcode.
    pub code: u8,
    /// Destination register (low nibble) and source register (high nibble).
    pub regs: u8,
    /// Signed offset (jumps, memory accesses).
    pub off: i16,
    /// Signed immediate.
    pub imm: i32,
}

// Instruction classes, sizes, modes and operations (linux/bpf_common.h, linux/bpf.h).
const LD: u8 = 0x00;
const LDX: u8 = 0x01;
const ST: u8 = 0x02;
const STX: u8 = 0x03;
const JMP: u8 = 0x05;
const ALU64: u8 = 0x07;
const W: u8 = 0x00;
const H: u8 = 0x08;
const B: u8 = 0x10;
const DW: u8 = 0x18;
const IMM: u8 = 0x00;
const MEM: u8 = 0x60;
const K: u8 = 0x00;
const X: u8 = 0x08;
const ADD: u8 = 0x00;
const OR: u8 = 0x40;
const AND: u8 = 0x50;
const MOV: u8 = 0xb0;
const JA: u8 = 0x00;
const JEQ: u8 = 0x10;
const JGT: u8 = 0x20;
const JGE: u8 = 0x30;
const JSET: u8 = 0x40;
const JNE: u8 = 0x50;
const CALL: u8 = 0x80;
const EXIT: u8 = 0x90;
const JLT: u8 = 0xa0;
const JLE: u8 = 0xb0;
const PSEUDO_MAP_FD: u8 = 1;

// Helper ids.
const MAP_LOOKUP_ELEM: i32 = 1;
const GET_PRANDOM_U32: i32 = 7;
const TAIL_CALL: i32 = 12;

// Registers: r1–r5 arguments and temporaries, r6 the context, r7 the
// scratch value, r8 the protocol bits, r9 the matched-slot bitmap.
const R0: u8 = 0;
const R1: u8 = 1;
const R2: u8 = 2;
const R3: u8 = 3;
const R4: u8 = 4;
const R5: u8 = 5;
const CTX: u8 = 6;
const SCR: u8 = 7;
const PROTOS: u8 = 8;
const MATCHED: u8 = 9;
const FP: u8 = 10;

/// What the generated program refers to outside itself.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// File descriptor of the `SCRATCH` per-CPU array.
    pub scratch_fd: i32,
    /// File descriptor of the stage program array to tail-call into.
    pub stages_fd: i32,
    /// Return value when the tail call fails (the program's "pass" verdict).
    pub pass: i32,
}

/// One rule to compile: its slot (bit in the verdict) and graph.
#[derive(Clone, Copy, Debug)]
pub struct SlotRule<'a> {
    /// Slot number, below 64.
    pub slot: u32,
    /// The decision graph (forward-only jumps).
    pub nodes: &'a [RuleNode],
    /// Fraction of matching frames to sample.
    pub sample: f64,
}

/// Why a rule set could not be compiled.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodegenError {
    /// A node names a field the kernel does not parse.
    #[error("rule slot {slot}: node {node} uses unknown kernel field {field}")]
    UnknownField {
        /// Slot.
        slot: u32,
        /// Node index.
        node: usize,
        /// Field number.
        field: u8,
    },
    /// A node has an unknown operation.
    #[error("rule slot {slot}: node {node} has unknown operation {op}")]
    UnknownOp {
        /// Slot.
        slot: u32,
        /// Node index.
        node: usize,
        /// Operation number.
        op: u8,
    },
    /// The slot does not fit the 64-bit verdict.
    #[error("rule slot {0} out of range")]
    Slot(u32),
    /// The program would exceed the reach of a 16-bit jump.
    #[error("the rules compile to {0} instructions, more than one program can hold")]
    TooLong(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Label(usize);

/// An assembler with forward labels.
#[derive(Default)]
struct Asm {
    insns: Vec<Insn>,
    /// Position of each label once bound.
    bound: Vec<Option<usize>>,
    /// (instruction index, label) of every jump to patch.
    fixups: Vec<(usize, Label)>,
    /// No path reaches the next instruction (after `goto` or `exit`, until
    /// a label someone jumps to). The verifier refuses unreachable code, so
    /// nothing is emitted meanwhile.
    dead: bool,
}

impl Asm {
    fn label(&mut self) -> Label {
        self.bound.push(None);
        Label(self.bound.len() - 1)
    }

    /// Bind `l` here. A jump to `l` just before it is dropped: falling
    /// through does the same.
    fn bind(&mut self, l: Label) {
        while let Some(&(at, target)) = self.fixups.last() {
            let last = self.insns.len() - 1;
            if at == last && target == l && self.insns[last].code == JMP | JA {
                self.insns.pop();
                self.fixups.pop();
                self.dead = false;
            } else {
                break;
            }
        }
        if self.fixups.iter().any(|&(_, t)| t == l) {
            self.dead = false;
        }
        self.bound[l.0] = Some(self.insns.len());
    }

    fn emit(&mut self, code: u8, dst: u8, src: u8, off: i16, imm: i32) {
        if self.dead {
            return;
        }
        if code == JMP | JA || code == JMP | EXIT {
            self.dead = true;
        }
        self.insns.push(Insn {
            code,
            regs: (src << 4) | dst,
            off,
            imm,
        });
    }

    fn ld_imm64(&mut self, dst: u8, src: u8, v: u64) {
        self.emit(LD | DW | IMM, dst, src, 0, v as u32 as i32);
        self.emit(0, 0, 0, 0, (v >> 32) as u32 as i32);
    }

    fn mov_imm(&mut self, dst: u8, v: i32) {
        self.emit(ALU64 | MOV | K, dst, 0, 0, v);
    }

    fn mov_reg(&mut self, dst: u8, src: u8) {
        self.emit(ALU64 | MOV | X, dst, src, 0, 0);
    }

    fn load(&mut self, dst: u8, base: u8, off: usize, size: u8) {
        let sz = match size {
            1 => B,
            2 => H,
            4 => W,
            _ => DW,
        };
        self.emit(LDX | MEM | sz, dst, base, off as i16, 0);
    }

    /// `dst op= v` for a 64-bit constant (through r5 when it does not fit an
    /// immediate, which the CPU would sign-extend).
    fn alu_const(&mut self, aluop: u8, dst: u8, v: u64) {
        if v <= i32::MAX as u64 {
            self.emit(ALU64 | aluop | K, dst, 0, 0, v as i32);
        } else {
            self.ld_imm64(R5, 0, v);
            self.emit(ALU64 | aluop | X, dst, R5, 0, 0);
        }
    }

    fn jump(&mut self, l: Label) {
        if self.dead {
            return;
        }
        self.fixups.push((self.insns.len(), l));
        self.emit(JMP | JA, 0, 0, 0, 0);
    }

    /// `if reg <jop> v goto l`, unsigned, with `v` a 64-bit constant.
    fn jump_if(&mut self, jop: u8, reg: u8, v: u64, l: Label) {
        if self.dead {
            return;
        }
        if v <= i32::MAX as u64 {
            self.fixups.push((self.insns.len(), l));
            self.emit(JMP | jop | K, reg, 0, 0, v as i32);
        } else {
            self.ld_imm64(R5, 0, v);
            self.fixups.push((self.insns.len(), l));
            self.emit(JMP | jop | X, reg, R5, 0, 0);
        }
    }

    fn call(&mut self, helper: i32) {
        self.emit(JMP | CALL, 0, 0, 0, helper);
    }

    fn finish(mut self) -> Result<Vec<Insn>, CodegenError> {
        if self.insns.len() > i16::MAX as usize {
            return Err(CodegenError::TooLong(self.insns.len()));
        }
        for &(at, l) in &self.fixups {
            let to = self.bound[l.0].expect("every jump target is bound");
            self.insns[at].off = (to as i64 - at as i64 - 1) as i16;
        }
        Ok(self.insns)
    }
}

/// The comparison jump for `op`, unsigned.
fn jop(o: u8) -> u8 {
    match o {
        op::EQ => JEQ,
        op::NE => JNE,
        op::LT => JLT,
        op::LE => JLE,
        op::GT => JGT,
        _ => JGE,
    }
}

/// Compile `rules` into the rules-stage program for `target`.
///
/// Semantics, per rule: start at node 0; a node whose field is absent takes
/// its false edge; otherwise it compares `(value & mask)` with its constant
/// (128-bit values compare high half first) and takes the true or false
/// edge. [`ACCEPT`] sets the rule's slot bit (and samples the frame with the
/// rule's probability), [`REJECT`] leaves it clear, [`CANDIDATE`] sets the
/// slot's bit in `Scratch::candidates` instead (the finishing stage counts
/// the frame apart and always sends it to user space). A jump that is not
/// forward inside the rule counts as [`ACCEPT`], so a malformed graph errs
/// towards a superset.
pub fn compile(rules: &[SlotRule<'_>], target: Target) -> Result<Vec<Insn>, CodegenError> {
    let protos = field_loc(monitor_common::rules::field::PROTOCOLS)
        .expect("protocols field")
        .offset;
    let matched_off = std::mem::offset_of!(Scratch, matched);
    let sample_off = std::mem::offset_of!(Scratch, sample);
    let candidates_off = std::mem::offset_of!(Scratch, candidates);

    let mut a = Asm::default();
    let out = a.label();
    // r6 = ctx; r7 = &SCRATCH[0] of this CPU.
    a.mov_reg(CTX, R1);
    a.emit(ST | MEM | W, FP, 0, -4, 0);
    a.mov_reg(R2, FP);
    a.emit(ALU64 | ADD | K, R2, 0, 0, -4);
    a.ld_imm64(R1, PSEUDO_MAP_FD, target.scratch_fd as u32 as u64);
    a.call(MAP_LOOKUP_ELEM);
    a.jump_if(JEQ, R0, 0, out);
    a.mov_reg(SCR, R0);
    a.load(PROTOS, SCR, protos, 8);
    a.mov_imm(MATCHED, 0);

    for rule in rules {
        if rule.slot >= 64 {
            return Err(CodegenError::Slot(rule.slot));
        }
        let next = a.label();
        let accept = a.label();
        let candidate = a.label();
        let labels: Vec<Label> = rule.nodes.iter().map(|_| a.label()).collect();
        let uses_candidate = rule
            .nodes
            .iter()
            .any(|n| n.jt == CANDIDATE || n.jf == CANDIDATE);
        let edge = |i: usize, j: u16| -> Label {
            match j {
                REJECT => next,
                ACCEPT => accept,
                CANDIDATE => candidate,
                j if (j as usize) > i && (j as usize) < labels.len() => labels[j as usize],
                _ => accept,
            }
        };
        for (i, n) in rule.nodes.iter().enumerate() {
            a.bind(labels[i]);
            let loc = field_loc(n.field).ok_or(CodegenError::UnknownField {
                slot: rule.slot,
                node: i,
                field: n.field,
            })?;
            if n.op > op::ANY_BITS {
                return Err(CodegenError::UnknownOp {
                    slot: rule.slot,
                    node: i,
                    op: n.op,
                });
            }
            let (jt, jf) = (edge(i, n.jt), edge(i, n.jf));
            if loc.needs != 0 {
                // if (protos & needs) == 0 goto jf
                let present = a.label();
                a.jump_if(JSET, PROTOS, loc.needs, present);
                a.jump(jf);
                a.bind(present);
            }
            if n.op == op::PRESENT {
                a.jump(jt);
                continue;
            }
            let width = if loc.size >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * loc.size)) - 1
            };
            a.load(R2, SCR, loc.offset, loc.size);
            let mask_lo = n.mask[1] & width;
            if mask_lo != width {
                a.alu_const(AND, R2, mask_lo);
            }
            let (vh, vl) = (n.value[0], n.value[1]);
            match loc.hi_offset {
                None => {
                    // The high half is zero.
                    if n.op == op::ANY_BITS {
                        a.jump_if(JNE, R2, 0, jt);
                    } else if vh != 0 {
                        // 0 < value whatever the low half holds.
                        let lt = matches!(n.op, op::NE | op::LT | op::LE);
                        a.jump(if lt { jt } else { jf });
                        continue;
                    } else {
                        a.jump_if(jop(n.op), R2, vl, jt);
                    }
                }
                Some(hi) => {
                    a.load(R4, SCR, hi, 8);
                    if n.mask[0] != u64::MAX {
                        a.alu_const(AND, R4, n.mask[0]);
                    }
                    match n.op {
                        op::ANY_BITS => {
                            a.jump_if(JNE, R4, 0, jt);
                            a.jump_if(JNE, R2, 0, jt);
                        }
                        op::EQ => {
                            a.jump_if(JNE, R4, vh, jf);
                            a.jump_if(JEQ, R2, vl, jt);
                        }
                        op::NE => {
                            a.jump_if(JNE, R4, vh, jt);
                            a.jump_if(JNE, R2, vl, jt);
                        }
                        op::LT | op::LE => {
                            a.jump_if(JLT, R4, vh, jt);
                            a.jump_if(JGT, R4, vh, jf);
                            a.jump_if(jop(n.op), R2, vl, jt);
                        }
                        _ => {
                            a.jump_if(JGT, R4, vh, jt);
                            a.jump_if(JLT, R4, vh, jf);
                            a.jump_if(jop(n.op), R2, vl, jt);
                        }
                    }
                }
            }
            a.jump(jf);
        }
        if rule.nodes.is_empty() {
            a.jump(accept);
        }
        a.jump(next);
        a.bind(accept);
        a.alu_const(OR, MATCHED, 1u64 << rule.slot);
        let threshold = Config::threshold_for(rule.sample);
        if threshold != 0 {
            if threshold <= u32::MAX as u64 {
                a.call(GET_PRANDOM_U32);
                a.jump_if(JGE, R0, threshold, next);
            }
            a.emit(ST | MEM | DW, SCR, 0, sample_off as i16, 1);
        }
        if uses_candidate {
            // Rare path: read-modify-write the candidate bitmap in SCRATCH.
            a.jump(next);
            a.bind(candidate);
            a.load(R2, SCR, candidates_off, 8);
            a.alu_const(OR, R2, 1u64 << rule.slot);
            a.emit(STX | MEM | DW, SCR, R2, candidates_off as i16, 0);
        }
        a.bind(next);
    }

    a.emit(STX | MEM | DW, SCR, MATCHED, matched_off as i16, 0);
    a.mov_reg(R1, CTX);
    a.ld_imm64(R2, PSEUDO_MAP_FD, target.stages_fd as u32 as u64);
    a.mov_imm(R3, stage::FINISH as i32);
    a.call(TAIL_CALL);
    a.bind(out);
    a.mov_imm(R0, target.pass);
    a.emit(JMP | EXIT, 0, 0, 0, 0);
    a.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use monitor_common::rules::field as f;

    const T: Target = Target {
        scratch_fd: 7,
        stages_fd: 8,
        pass: 2,
    };

    fn node(field: u8, o: u8, v: u64, jt: u16, jf: u16) -> RuleNode {
        RuleNode {
            field,
            op: o,
            _pad: 0,
            jt,
            jf,
            value: [0, v],
            mask: [u64::MAX, u64::MAX],
        }
    }

    /// Every jump lands inside the program, after the jump, and every
    /// instruction is reachable (the verifier refuses dead code).
    fn check_jumps(p: &[Insn]) {
        let mut reached = vec![false; p.len()];
        reached[0] = true;
        let mut i = 0;
        while i < p.len() {
            let insn = p[i];
            let wide = insn.code == LD | DW | IMM;
            if wide {
                reached[i + 1] = reached[i];
            }
            let next = i + if wide { 2 } else { 1 };
            if reached[i] {
                let is_jmp = insn.code & 0x07 == JMP;
                let jop = insn.code & 0xf0;
                if is_jmp && jop != CALL && jop != EXIT {
                    reached[(next as i64 + insn.off as i64) as usize] = true;
                }
                let falls = !(is_jmp && (jop == JA || jop == EXIT));
                if falls && next < p.len() {
                    reached[next] = true;
                }
            }
            i = next;
        }
        let dead: Vec<usize> = (0..p.len()).filter(|&i| !reached[i]).collect();
        assert!(dead.is_empty(), "unreachable instructions {dead:?}");
        for (i, insn) in p.iter().enumerate() {
            let class = insn.code & 0x07;
            let jop = insn.code & 0xf0;
            if class == JMP && jop != CALL && jop != EXIT {
                let to = i as i64 + 1 + insn.off as i64;
                assert!(to > i as i64 && (to as usize) < p.len(), "jump {i} → {to}");
            }
        }
        assert_eq!(p.last().unwrap().code, JMP | EXIT);
    }

    #[test]
    fn empty_rule_set_still_tail_calls_the_finish_stage() {
        let p = compile(&[], T).unwrap();
        check_jumps(&p);
        assert!(p.iter().any(|i| i.code == JMP | CALL && i.imm == TAIL_CALL));
        assert!(!p
            .iter()
            .any(|i| i.code == JMP | CALL && i.imm == GET_PRANDOM_U32));
    }

    #[test]
    fn port_rule_is_a_few_instructions_per_node() {
        let nodes = [
            node(f::TCP_SRCPORT, op::EQ, 443, ACCEPT, 1),
            node(f::TCP_DSTPORT, op::EQ, 443, ACCEPT, REJECT),
        ];
        let empty = compile(&[], T).unwrap().len();
        let rules = [SlotRule {
            slot: 3,
            nodes: &nodes,
            sample: 0.0,
        }];
        let p = compile(&rules, T).unwrap();
        check_jumps(&p);
        // Two nodes of presence test + load + compare, and the accept block.
        assert!(p.len() - empty <= 12, "{} instructions", p.len() - empty);
        // The slot bit is set with an immediate OR.
        assert!(p
            .iter()
            .any(|i| i.code == ALU64 | OR | K && i.regs & 0xf == MATCHED && i.imm == 1 << 3));
    }

    #[test]
    fn candidate_exits_set_the_slot_in_the_candidate_bitmap() {
        let mut nodes = [
            node(f::PROTOCOLS, op::ANY_BITS, 0, CANDIDATE, 1),
            node(f::ICMP_TYPE, op::EQ, 8, ACCEPT, REJECT),
        ];
        nodes[0].mask = [0, monitor_common::rules::proto_bit::NESTED];
        let rules = [SlotRule {
            slot: 5,
            nodes: &nodes,
            sample: 0.0,
        }];
        let p = compile(&rules, T).unwrap();
        check_jumps(&p);
        let off = std::mem::offset_of!(Scratch, candidates) as i16;
        // Read, OR the slot bit, write back.
        let at = p
            .iter()
            .position(|i| i.code == LDX | MEM | DW && i.off == off)
            .expect("candidate bitmap load");
        assert_eq!(p[at + 1].code, ALU64 | OR | K);
        assert_eq!(p[at + 1].imm, 1 << 5);
        assert_eq!((p[at + 2].code, p[at + 2].off), (STX | MEM | DW, off));
        // A rule without a candidate exit does not touch the bitmap.
        let plain = [node(f::ICMP_TYPE, op::EQ, 8, ACCEPT, REJECT)];
        let p = compile(
            &[SlotRule {
                slot: 5,
                nodes: &plain,
                sample: 0.0,
            }],
            T,
        )
        .unwrap();
        check_jumps(&p);
        assert!(!p.iter().any(|i| i.off == off && i.code & 0x07 != JMP));
    }

    #[test]
    fn large_constants_and_high_slots_go_through_a_register() {
        let nodes = [RuleNode {
            field: f::IPV6_DST,
            op: op::EQ,
            _pad: 0,
            jt: ACCEPT,
            jf: REJECT,
            value: [0x2001_0db8_0000_0000, 0x0000_0000_0000_0001],
            mask: [u64::MAX, u64::MAX],
        }];
        let rules = [SlotRule {
            slot: 40,
            nodes: &nodes,
            sample: 0.25,
        }];
        let p = compile(&rules, T).unwrap();
        check_jumps(&p);
        let wide = p.iter().filter(|i| i.code == LD | DW | IMM).count();
        // Two map references, the high half of the address and the slot bit.
        assert_eq!(wide, 4);
        assert!(p
            .iter()
            .any(|i| i.code == JMP | CALL && i.imm == GET_PRANDOM_U32));
    }

    #[test]
    fn bad_graphs_are_refused_or_err_towards_accept() {
        let bad_field = [node(200, op::EQ, 1, ACCEPT, REJECT)];
        let r = compile(
            &[SlotRule {
                slot: 0,
                nodes: &bad_field,
                sample: 0.0,
            }],
            T,
        );
        assert!(matches!(r, Err(CodegenError::UnknownField { .. })));
        // A backward jump is taken as accept and still yields a valid program.
        let backward = [
            node(f::FRAME_LEN, op::GT, 10, 1, REJECT),
            node(f::FRAME_LEN, op::GT, 20, 0, REJECT),
        ];
        let p = compile(
            &[SlotRule {
                slot: 1,
                nodes: &backward,
                sample: 0.0,
            }],
            T,
        )
        .unwrap();
        check_jumps(&p);
    }

    #[test]
    fn thirty_three_full_rules_fit() {
        let nodes: Vec<RuleNode> = (0..64u16)
            .map(|i| {
                node(
                    f::IPV6_SRC,
                    op::LE,
                    1 << 40,
                    ACCEPT,
                    if i == 63 { REJECT } else { i + 1 },
                )
            })
            .collect();
        let rules: Vec<SlotRule> = (0..33)
            .map(|s| SlotRule {
                slot: s,
                nodes: &nodes,
                sample: 1.0,
            })
            .collect();
        let p = compile(&rules, T).unwrap();
        check_jumps(&p);
    }
}
