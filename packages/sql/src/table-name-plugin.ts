import {
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  SchemableIdentifierNode,
  type UnknownRow,
} from 'kysely'
import type { TableNames } from './table-names.js'

/**
 * Maps the logical table names the repositories write (`clients`, `access_tokens`, …) to their
 * physical names: prefixed, and qualified with the schema when one is configured. Every other
 * identifier is left alone, so Kysely's own tables (the migrator's) are not touched.
 */
export class TableNamePlugin implements KyselyPlugin {
  readonly #transformer: TableNameTransformer

  constructor(names: TableNames) {
    this.#transformer = new TableNameTransformer(names)
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node, args.queryId)
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

class TableNameTransformer extends OperationNodeTransformer {
  readonly #physical: ReadonlyMap<string, string>
  readonly #schema: string | null

  constructor(names: TableNames) {
    super()
    this.#physical = new Map(Object.entries(names.tables))
    this.#schema = names.schema
  }

  protected override transformSchemableIdentifier(node: SchemableIdentifierNode): SchemableIdentifierNode {
    const physical = this.#physical.get(node.identifier.name)
    if (physical === undefined) return node
    // The configured schema wins; else one the caller's Kysely instance set (`withSchema`) stays.
    const schema = this.#schema ?? node.schema?.name ?? null
    return schema === null
      ? SchemableIdentifierNode.create(physical)
      : SchemableIdentifierNode.createWithSchema(schema, physical)
  }
}
