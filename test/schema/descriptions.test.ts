import fs from 'node:fs';
import { readSupergraphConfig } from '@meridian/supergraph';
import { parse, visit, type ASTNode } from 'graphql';

// The playground is the API's documentation: every public type, field, input field,
// enum value and scalar in every subgraph carries a description.
describe.each(readSupergraphConfig().map((s) => [s.name, s.schemaFile] as const))('%s SDL', (_name, file) => {
  it('describes every type, field, input field, enum value and scalar', () => {
    const missing: string[] = [];
    const roots = new Set(['Query', 'Mutation', 'Subscription']);
    const need = (node: ASTNode & { description?: { value: string } }, label: string) => {
      if (!node.description?.value.trim()) missing.push(label);
    };
    visit(parse(fs.readFileSync(file, 'utf8')), {
      ObjectTypeDefinition(node) {
        if (!roots.has(node.name.value)) need(node, `type ${node.name.value}`);
        for (const field of node.fields ?? []) need(field, `${node.name.value}.${field.name.value}`);
      },
      ObjectTypeExtension(node) {
        for (const field of node.fields ?? []) need(field, `${node.name.value}.${field.name.value}`);
      },
      InputObjectTypeDefinition(node) {
        need(node, `input ${node.name.value}`);
        for (const field of node.fields ?? []) need(field, `${node.name.value}.${field.name.value}`);
      },
      EnumTypeDefinition(node) {
        need(node, `enum ${node.name.value}`);
        for (const value of node.values ?? []) need(value, `${node.name.value}.${value.name.value}`);
      },
      ScalarTypeDefinition(node) {
        need(node, `scalar ${node.name.value}`);
      },
      InterfaceTypeDefinition(node) {
        need(node, `interface ${node.name.value}`);
        for (const field of node.fields ?? []) need(field, `${node.name.value}.${field.name.value}`);
      },
      UnionTypeDefinition(node) {
        need(node, `union ${node.name.value}`);
      },
    });
    expect(missing).toEqual([]);
  });
});
