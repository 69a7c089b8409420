/**
 * DWARF type source: a TypeRegistry over .debug_info, interchangeable with the BTF one.
 *
 * Construction runs the indexer (names → DIE offsets); types are decoded on first lookup.
 */
import type { CType, TypeRegistry } from '../ctype.js';
import { DW_AT, DW_TAG } from './constants.js';
import { DieReader } from './die-reader.js';
import { buildIndex, type DwarfIndex } from './indexer.js';
import { RANK_DEFINITION, RANK_EXTERNAL_DEFINITION, type NameTable } from './name-table.js';
import type { DwarfSections } from './sections.js';
import { TypeDecoder, type DefinitionFinder } from './type-decoder.js';

/** Bounds DW_AT_specification / abstract_origin chains when looking for a variable's type. */
const MAX_SPECIFICATION_DEPTH = 8;

export interface DwarfStats {
  readonly units: number;
  readonly diesVisited: number;
  readonly structs: number;
  readonly unions: number;
  readonly enums: number;
  readonly typedefs: number;
  readonly baseTypes: number;
  readonly variables: number;
  readonly anonymousEnums: number;
  readonly typeUnits: number;
}

export class DwarfRegistry implements TypeRegistry, DefinitionFinder {
  readonly source = 'dwarf' as const;
  private readonly index: DwarfIndex;
  private readonly reader: DieReader;
  private readonly decoder: TypeDecoder;
  private enumeratorIndex: Map<string, bigint> | undefined;
  private specificationsResolved = false;

  constructor(private readonly sections: DwarfSections) {
    this.index = buildIndex(sections);
    this.reader = new DieReader(sections, this.index.units, this.index.signatures, this.index.abbrevs);
    this.decoder = new TypeDecoder(this.reader, this, sections.path);
  }

  get path(): string {
    return this.sections.path;
  }

  get stats(): DwarfStats {
    const i = this.index;
    return {
      units: i.units.count,
      diesVisited: i.diesVisited,
      structs: i.structs.size,
      unions: i.unions.size,
      enums: i.enums.size,
      typedefs: i.typedefs.size,
      baseTypes: i.baseTypes.size,
      variables: i.variables.size,
      anonymousEnums: i.anonymousEnums.length,
      typeUnits: i.signatures.size,
    };
  }

  lookup(name: string): CType | undefined {
    const off = this.offsetOf(normalizeName(name));
    return off === undefined ? undefined : this.decoder.typeAt(off);
  }

  /** DIE offset for a C type name (`struct page`, `u32`, `long unsigned int`). */
  private offsetOf(name: string): number | undefined {
    const space = name.indexOf(' ');
    if (space > 0) {
      const tag = name.slice(0, space);
      const rest = name.slice(space + 1);
      if (tag === 'struct') return this.index.structs.get(rest);
      if (tag === 'union') return this.index.unions.get(rest);
      if (tag === 'enum') return this.index.enums.get(rest);
    }
    return this.index.typedefs.get(name) ?? this.index.baseTypes.get(name);
  }

  definitionOf(kind: 'struct' | 'union' | 'enum', name: string): number | undefined {
    const table: NameTable = kind === 'struct' ? this.index.structs : kind === 'union' ? this.index.unions : this.index.enums;
    return table.isDefinition(name) ? table.get(name) : undefined;
  }

  variableType(name: string): CType | undefined {
    this.resolveSpecifications();
    const off = this.index.variables.get(name);
    if (off === undefined) return undefined;
    // A definition completing a declaration may carry no DW_AT_type of its own (DWARF 5 §2.13.2).
    let die = this.reader.read(off);
    for (let i = 0; i < MAX_SPECIFICATION_DEPTH; i++) {
      const type = this.reader.ref(die, DW_AT.type);
      if (type !== undefined) return this.decoder.typeAt(type);
      const next = this.reader.ref(die, DW_AT.specification) ?? this.reader.ref(die, DW_AT.abstract_origin);
      if (next === undefined) return undefined;
      die = this.reader.read(next);
    }
    return undefined;
  }

  enumerator(name: string): bigint | undefined {
    this.enumeratorIndex ??= this.buildEnumeratorIndex();
    return this.enumeratorIndex.get(name);
  }

  /** Names of every indexed struct/union/enum/typedef (for exhaustive comparisons in tests). */
  names(kind: 'struct' | 'union' | 'enum' | 'typedef' | 'base' | 'variable'): string[] {
    const i = this.index;
    const table = { struct: i.structs, union: i.unions, enum: i.enums, typedef: i.typedefs, base: i.baseTypes, variable: i.variables }[kind];
    return [...table.names()];
  }

  /**
   * Named enums first (their definitions), then anonymous ones; the kernel copies each anonymous
   * enum into every unit that includes its header, so an enum whose first enumerator is already
   * known is skipped without reading the rest.
   */
  private buildEnumeratorIndex(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    const add = (off: number): void => {
      const die = this.reader.read(off);
      if (die.tag !== DW_TAG.enumeration_type) return;
      const first = this.decoder.firstEnumeratorName(die);
      if (first === undefined || out.has(first)) return;
      for (const v of this.decoder.enumerators(die).values) if (!out.has(v.name)) out.set(v.name, v.value);
    };
    for (const name of this.index.enums.names()) {
      const off = this.index.enums.get(name);
      if (off !== undefined) add(off);
    }
    for (const off of this.index.anonymousEnums) add(off);
    return out;
  }

  /** Variable definitions whose declaration the indexer had not seen yet (rare: cross-unit references). */
  private resolveSpecifications(): void {
    if (this.specificationsResolved) return;
    this.specificationsResolved = true;
    const pairs = this.index.unresolvedSpecifications;
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const decl = this.reader.read(pairs[i + 1]!);
      const name = this.reader.string(decl, DW_AT.name);
      if (name === undefined) continue;
      const external = this.reader.flag(decl, DW_AT.external);
      this.index.variables.addFinished(name, pairs[i]!, external ? RANK_EXTERNAL_DEFINITION : RANK_DEFINITION);
    }
  }
}

function normalizeName(name: string): string {
  return name.trim().replace(/\s+/g, ' ');
}
