/**
 * The fast first pass over .debug_info: which named types and variables exist, and where.
 *
 * Only the children of each unit's root DIE are looked at ("top level"): in C, gcc emits every
 * file-scope struct/union/enum/typedef/base type and global variable there. Everything below —
 * members, enumerators, function bodies — is jumped over with DW_AT_sibling (gcc emits it on every
 * DIE that has children and a next sibling), or, when a DIE lacks it, walked with the abbreviation's
 * precomputed skip plan without decoding a value. Names are recorded as .debug_str offsets and only
 * turned into strings once per distinct name (see NameTable).
 */
import { AbbrevStore, type AbbrevTable } from './abbrev.js';
import { DW_AT, DW_FORM, DW_TAG, DW_UT } from './constants.js';
import { ByteCursor, cStringAt } from './cursor.js';
import { DwarfError } from './dwarf-error.js';
import { UnknownFormError, formSizeTable, skipForm } from './forms.js';
import { NameTable, RANK_DECLARATION, RANK_DEFINITION, RANK_EXTERNAL_DEFINITION, packInlineName } from './name-table.js';
import type { DwarfSections } from './sections.js';
import { UnitTable, readUnitHeader, type UnitHeader, type UnitInfo } from './units.js';
import { SIGNATURE_REF, defaultStrOffsetsBase, readFlag, readRef, readStrOffset, readUnsigned } from './values.js';

const KIND_NONE = 0;
const KIND_STRUCT = 1;
const KIND_UNION = 2;
const KIND_ENUM = 3;
const KIND_TYPEDEF = 4;
const KIND_BASE = 5;
const KIND_VARIABLE = 6;

/** Top-level tag → which name table it goes to. */
const KIND_OF_TAG = new Uint8Array(0x50);
KIND_OF_TAG[DW_TAG.structure_type] = KIND_STRUCT;
KIND_OF_TAG[DW_TAG.class_type] = KIND_STRUCT;
KIND_OF_TAG[DW_TAG.union_type] = KIND_UNION;
KIND_OF_TAG[DW_TAG.enumeration_type] = KIND_ENUM;
KIND_OF_TAG[DW_TAG.typedef] = KIND_TYPEDEF;
KIND_OF_TAG[DW_TAG.base_type] = KIND_BASE;
KIND_OF_TAG[DW_TAG.variable] = KIND_VARIABLE;

/** What the indexer learned; name tables are finished (queryable by string). */
export interface DwarfIndex {
  readonly units: UnitTable;
  readonly structs: NameTable;
  readonly unions: NameTable;
  readonly enums: NameTable;
  readonly typedefs: NameTable;
  readonly baseTypes: NameTable;
  readonly variables: NameTable;
  /** Top-level enums without a name (their enumerators are still searchable). */
  readonly anonymousEnums: Uint32Array;
  /** Type unit signature → offset of its type DIE (DW_FORM_ref_sig8 targets). */
  readonly signatures: Map<bigint, number>;
  /** Variable definitions whose DW_AT_specification pointed outside the declarations seen so far: [definition, declaration] pairs. */
  readonly unresolvedSpecifications: number[];
  /** DIEs whose abbreviation entry was looked up (a measure of the work done). */
  readonly diesVisited: number;
  /** Every unit's abbreviation table, parsed (the DIE reader reuses them). */
  readonly abbrevs: AbbrevStore;
}

/** A named declaration of a variable seen earlier in the unit, for definitions that point back to it. */
interface VariableDeclaration {
  readonly key: number;
  readonly text: string | undefined;
  readonly external: boolean;
}

export function buildIndex(sections: DwarfSections): DwarfIndex {
  return new Indexer(sections).run();
}

class Indexer {
  private readonly c: ByteCursor;
  private readonly abbrevs: AbbrevStore;
  private readonly units = new UnitTable();
  private readonly tables: NameTable[] = [];
  private anonymousEnums = new Uint32Array(1024);
  private anonymousEnumCount = 0;
  private readonly signatures = new Map<bigint, number>();
  private readonly unresolvedSpecifications: number[] = [];
  private readonly declarations = new Map<number, VariableDeclaration>();
  private diesVisited = 0;
  /** Fixed form sizes for the current unit's shape. */
  private formSizes: Int8Array = new Int8Array(0);

  // Attributes of the DIE being indexed (set by readIndexedAttributes).
  private nameKey = 0;
  private nameText: string | undefined = undefined;
  private isDeclaration = false;
  private isExternal = false;
  private sibling = 0;
  private specification = 0;

  constructor(private readonly s: DwarfSections) {
    this.c = new ByteCursor(s.info, s.littleEndian);
    this.abbrevs = new AbbrevStore(s.abbrev);
    for (let k = 0; k <= KIND_VARIABLE; k++) this.tables.push(new NameTable());
  }

  run(): DwarfIndex {
    const { info, typesStart } = this.s;
    // .debug_info units, then DWARF 4 .debug_types units (appended to the same buffer).
    const ranges: Array<[number, number, boolean]> =
      typesStart < 0 ? [[0, info.length, false]] : [[0, typesStart, false], [typesStart, info.length, true]];
    for (const [start, end, inTypes] of ranges) {
      let off = start;
      // A zero unit_length is padding some linkers leave at the end of the section.
      while (end - off >= 11 && !(info[off] === 0 && info[off + 1] === 0 && info[off + 2] === 0 && info[off + 3] === 0)) {
        const header = readUnitHeader(this.c, off, inTypes, this.s.path);
        try {
          this.indexUnit(header);
        } catch (e) {
          if (e instanceof UnknownFormError) throw new DwarfError(this.s.path, `${e.message} in unit at 0x${off.toString(16)}`);
          throw e;
        }
        off = header.end;
      }
    }
    const tables = this.tables;
    for (const t of tables) t.finish(this.s.str);
    return {
      units: this.units,
      structs: tables[KIND_STRUCT]!,
      unions: tables[KIND_UNION]!,
      enums: tables[KIND_ENUM]!,
      typedefs: tables[KIND_TYPEDEF]!,
      baseTypes: tables[KIND_BASE]!,
      variables: tables[KIND_VARIABLE]!,
      anonymousEnums: this.anonymousEnums.slice(0, this.anonymousEnumCount),
      signatures: this.signatures,
      unresolvedSpecifications: this.unresolvedSpecifications,
      diesVisited: this.diesVisited,
      abbrevs: this.abbrevs,
    };
  }

  private indexUnit(header: UnitHeader): void {
    if (header.abbrevOffset >= this.s.abbrev.length) {
      throw new DwarfError(this.s.path, `unit at 0x${header.offset.toString(16)} points past .debug_abbrev`);
    }
    const table = this.abbrevs.table(header.abbrevOffset, header);
    const st = this.abbrevs;
    this.formSizes = formSizeTable(header);
    const c = this.c;
    c.pos = header.dieOffset;

    // Root DIE: DW_AT_str_offsets_base (for DW_FORM_strx names below it) and DW_AT_producer.
    const rootCode = c.uleb();
    const root = rootCode === 0 ? -1 : table.indexOf(rootCode);
    if (root < 0) {
      this.units.add({ ...header, strOffsetsBase: defaultStrOffsetsBase(header), producerIsClang: false });
      return;
    }
    let strOffsetsBase = defaultStrOffsetsBase(header);
    let producerForm = 0;
    let producerPos = 0;
    for (let k = st.attrStart[root]!; k < st.attrStart[root + 1]!; k++) {
      const form = st.attrForm[k]!;
      const name = st.attrName[k]!;
      if (name === DW_AT.str_offsets_base) {
        strOffsetsBase = readUnsigned(c, form, header, st.implicitConst[k]!);
        continue;
      }
      if (name === DW_AT.producer) {
        producerForm = form;
        producerPos = c.pos;
      }
      skipForm(c, form, header);
    }
    // The producer may be a strx that precedes DW_AT_str_offsets_base, so it is decoded afterwards.
    const producer = producerForm ? this.stringAt(producerPos, producerForm, header, strOffsetsBase) : '';
    const unit: UnitInfo = { ...header, strOffsetsBase, producerIsClang: /\bclang\b/.test(producer) };
    this.units.add(unit);
    if (unit.typeSignature !== undefined && unit.typeDieOffset !== undefined) this.signatures.set(unit.typeSignature, unit.typeDieOffset);
    const rootTag = st.tag[root]!;
    if (!st.hasChildren[root]) return;
    if (rootTag !== DW_TAG.compile_unit && rootTag !== DW_TAG.partial_unit && rootTag !== DW_TAG.type_unit) return;
    if (unit.unitType === DW_UT.skeleton) return;

    this.declarations.clear();
    this.walkTopLevel(unit, table);
  }

  /** Visit the root's children; index the interesting ones and jump over every subtree. */
  private walkTopLevel(unit: UnitInfo, table: AbbrevTable): void {
    const c = this.c;
    const end = unit.end;
    const st = this.abbrevs;
    const tags = st.tag;
    const hasChildren = st.hasChildren;
    const fixedSize = st.fixedSize;
    const siblingForm = st.siblingForm;
    let depth = 1;
    while (depth > 0 && c.pos < end) {
      const dieOffset = c.pos;
      const code = c.uleb();
      if (code === 0) {
        depth--;
        continue;
      }
      const a = table.indexOf(code);
      if (a < 0) throw new DwarfError(this.s.path, `DIE at 0x${dieOffset.toString(16)} uses undefined abbreviation code ${code}`);
      this.diesVisited++;
      const tag = tags[a]!;
      const kind = depth === 1 && tag < KIND_OF_TAG.length ? KIND_OF_TAG[tag]! : KIND_NONE;
      let next = 0;
      if (kind !== KIND_NONE) {
        this.readIndexedAttributes(a, unit);
        this.record(kind, dieOffset);
        next = this.sibling;
      } else if (hasChildren[a] && siblingForm[a] !== 0) {
        next = this.readSiblingAndSkip(a, unit);
      } else {
        const fixed = fixedSize[a]!;
        if (fixed >= 0) c.pos += fixed;
        else this.skipByPlan(a, unit);
      }
      if (hasChildren[a]) {
        // Trust DW_AT_sibling only when it moves forward within the unit; otherwise walk the children.
        if (next > c.pos && next <= end) c.pos = next;
        else depth++;
      }
    }
  }

  private skipByPlan(a: number, unit: UnitHeader): void {
    const c = this.c;
    const plan = this.abbrevs.plan;
    let k = this.abbrevs.planStart[a]!;
    for (;;) {
      c.pos += plan[k]!;
      const form = plan[k + 1]!;
      if (form === 0) return;
      skipForm(c, form, unit);
      k += 2;
    }
  }

  /** Skip a DIE's attributes, returning its DW_AT_sibling target (0 if unusable). */
  private readSiblingAndSkip(a: number, unit: UnitHeader): number {
    const c = this.c;
    const table = this.abbrevs;
    const start = c.pos;
    const sibOffset = table.siblingOffset[a]!;
    const fixed = table.fixedSize[a]!;
    if (sibOffset >= 0 && fixed >= 0) {
      c.pos = start + sibOffset;
      const target = readRef(c, table.siblingForm[a]!, unit);
      c.pos = start + fixed;
      return target;
    }
    let target = 0;
    for (let k = table.attrStart[a]!; k < table.attrStart[a + 1]!; k++) {
      const form = table.attrForm[k]!;
      if (table.attrName[k] === DW_AT.sibling) target = readRef(c, form, unit);
      else skipForm(c, form, unit);
    }
    return target;
  }

  /** Read the attributes the index needs (name, declaration, external, sibling, specification). */
  private readIndexedAttributes(a: number, unit: UnitInfo): void {
    const c = this.c;
    const sizes = this.formSizes;
    const table = this.abbrevs;
    this.nameKey = 0;
    this.nameText = undefined;
    this.isDeclaration = false;
    this.isExternal = false;
    this.sibling = 0;
    this.specification = 0;
    const names = table.attrName;
    const forms = table.attrForm;
    for (let k = table.attrStart[a]!, end = table.attrStart[a + 1]!; k < end; k++) {
      let form = forms[k]!;
      if (form === DW_FORM.indirect) form = c.uleb(); // §7.5.3: the real form precedes the value

      switch (names[k]) {
        case DW_AT.name:
          this.readName(form, unit);
          break;
        case DW_AT.declaration:
          this.isDeclaration = readFlag(c, form, unit, table.implicitConst[k]!);
          break;
        case DW_AT.external:
          this.isExternal = readFlag(c, form, unit, table.implicitConst[k]!);
          break;
        case DW_AT.sibling:
          this.sibling = readRef(c, form, unit);
          break;
        case DW_AT.specification:
          this.specification = readRef(c, form, unit);
          break;
        case DW_AT.signature:
          // A type-unit stub: the definition lives in the type unit, this DIE is a declaration.
          this.isDeclaration = true;
          skipForm(c, form, unit);
          break;
        default: {
          const size = form < sizes.length ? sizes[form]! : -1;
          if (size >= 0) c.pos += size;
          else skipForm(c, form, unit);
        }
      }
    }
  }

  /** A string attribute value at `pos` (used for the producer only; names go through readName). */
  private stringAt(pos: number, form: number, unit: UnitHeader, strOffsetsBase: number): string {
    const c = this.c;
    const saved = c.pos;
    c.pos = pos;
    let text = '';
    if (form === DW_FORM.string) text = c.cstring();
    else if (form === DW_FORM.line_strp) text = cStringAt(this.s.lineStr, c.uN(unit.offsetSize));
    else {
      const off = readStrOffset(c, form, unit, strOffsetsBase, this.s.strOffsets);
      if (off >= 0) text = cStringAt(this.s.str, off);
    }
    c.pos = saved;
    return text;
  }

  private readName(form: number, unit: UnitInfo): void {
    const c = this.c;
    if (form === DW_FORM.string) {
      const start = c.pos;
      c.skipCString();
      const key = packInlineName(c.buf, start, c.pos - 1);
      if (key !== 0) this.nameKey = key;
      else if (c.pos - 1 > start) this.nameText = c.buf.toString('latin1', start, c.pos - 1);
      return;
    }
    if (form === DW_FORM.line_strp) {
      this.nameText = cStringAt(this.s.lineStr, c.uN(unit.offsetSize)) || undefined;
      return;
    }
    const strOffset = readStrOffset(c, form, unit, unit.strOffsetsBase, this.s.strOffsets);
    if (strOffset >= 0) {
      // Offset 0 is a valid string position; keys ≥ 0 are .debug_str offsets, so store it shifted by one.
      this.nameKey = strOffset + 1;
      return;
    }
    // DW_FORM_GNU_strp_alt (name in a dwz supplementary file) and the like: not readable here.
    skipForm(c, form, unit);
  }

  private record(kind: number, dieOffset: number): void {
    const key = this.nameKey;
    const text = this.nameText;
    if (kind === KIND_VARIABLE) {
      this.recordVariable(dieOffset);
      return;
    }
    const rank = this.isDeclaration ? RANK_DECLARATION : RANK_DEFINITION;
    const table = this.tables[kind]!;
    if (key !== 0) table.addKey(key > 0 ? key - 1 : key, dieOffset, rank);
    else if (text !== undefined) table.addText(text, dieOffset, rank);
    else if (kind === KIND_ENUM && !this.isDeclaration) this.addAnonymousEnum(dieOffset);
  }

  private recordVariable(dieOffset: number): void {
    const table = this.tables[KIND_VARIABLE]!;
    const key = this.nameKey;
    const text = this.nameText;
    if (key !== 0 || text !== undefined) {
      const rank = this.isDeclaration ? RANK_DECLARATION : this.isExternal ? RANK_EXTERNAL_DEFINITION : RANK_DEFINITION;
      if (key !== 0) table.addKey(key > 0 ? key - 1 : key, dieOffset, rank);
      else table.addText(text!, dieOffset, rank);
      if (this.isDeclaration) this.declarations.set(dieOffset, { key, text, external: this.isExternal });
      return;
    }
    const spec = this.specification;
    if (spec <= 0) return;
    // DWARF 5 §2.13.2: a definition completing an earlier declaration has no name of its own.
    const decl = this.declarations.get(spec);
    if (!decl) {
      if (spec !== SIGNATURE_REF) this.unresolvedSpecifications.push(dieOffset, spec);
      return;
    }
    const rank = decl.external || this.isExternal ? RANK_EXTERNAL_DEFINITION : RANK_DEFINITION;
    if (decl.key !== 0) table.addKey(decl.key > 0 ? decl.key - 1 : decl.key, dieOffset, rank);
    else table.addText(decl.text!, dieOffset, rank);
  }

  private addAnonymousEnum(dieOffset: number): void {
    if (this.anonymousEnumCount === this.anonymousEnums.length) {
      const grown = new Uint32Array(this.anonymousEnums.length * 2);
      grown.set(this.anonymousEnums);
      this.anonymousEnums = grown;
    }
    this.anonymousEnums[this.anonymousEnumCount++] = dieOffset;
  }
}
