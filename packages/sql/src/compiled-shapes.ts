import { type CompiledQuery, createQueryId } from 'kysely'

/** Stands for one value while a statement's shape is compiled; its name says which value. */
class Slot {
  readonly name: string
  constructor(name: string) {
    this.name = name
  }
}

/** What a call gives a shape: each slot's value, by the slot's name. */
export type SlotValues = ReadonlyMap<string, unknown>

/**
 * Compiles each shape of a statement once and fills in its parameters per call. Building and
 * compiling an issuance statement with Kysely costs about 60 µs of CPU, a twentieth of a whole
 * code exchange (a lookup by key, about 10 µs), and only the values change from one call to the
 * next of the same shape (which clauses it has, how many events it inserts). `build(slot)` builds the statement with
 * `slot(name)` in place of every value that varies; the compiled parameters keep Kysely's order,
 * so each call's parameters are that list with every slot replaced by its value. `build` runs the
 * first time a shape is asked for; `shape` must name everything that changes the SQL text.
 */
/** A cache made by {@link compiledShapes}. */
export type CompiledShapes<R> = (
  shape: string,
  build: (slot: (name: string) => never) => CompiledQuery<R>,
  values: SlotValues,
) => CompiledQuery<R>

export function compiledShapes<R>(): CompiledShapes<R> {
  const shapes = new Map<string, CompiledQuery<R>>()
  const slot = (name: string): never => new Slot(name) as never
  return (
    shape: string,
    build: (slot: (name: string) => never) => CompiledQuery<R>,
    values: SlotValues,
  ): CompiledQuery<R> => {
    let compiled = shapes.get(shape)
    if (compiled === undefined) {
      compiled = build(slot)
      shapes.set(shape, compiled)
    }
    const parameters = compiled.parameters.map((parameter) => {
      if (!(parameter instanceof Slot)) return parameter
      if (!values.has(parameter.name)) throw new Error(`No value for the statement slot ${parameter.name}`)
      return values.get(parameter.name)
    })
    // A query id of its own per execution, as a fresh build would have: plugins may key state on it.
    return { ...compiled, queryId: createQueryId(), parameters }
  }
}

/** `row` with each of its values replaced by the slot named `<prefix><column>`. */
export function slottedRow<T extends object>(prefix: string, row: T, slot: (name: string) => never): T {
  return Object.fromEntries(Object.keys(row).map((column) => [column, slot(`${prefix}${column}`)])) as T
}

/** Adds each value of `row` to `values` under `<prefix><column>`, as {@link slottedRow} names them. */
export function addRowValues(values: Map<string, unknown>, prefix: string, row: object): void {
  for (const [column, value] of Object.entries(row)) values.set(`${prefix}${column}`, value)
}
