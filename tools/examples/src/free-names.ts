import ts from 'typescript';

/**
 * How a free name is used: called or constructed (`filter(…)`, `new Subject()`), as a type, or
 * as a plain value. A plain value is as likely the reader's own variable (`queue`, `first`) as
 * an export of the same name.
 */
export type NameUse = 'call' | 'type' | 'value';

/**
 * The names an example uses but never declares, the candidates for an automatic import, with
 * how each is used. Deliberately generous (a name declared anywhere in the block counts as
 * declared everywhere, property keys are not uses): an import the block does not need is
 * harmless, a missing one is reported by the compiler anyway.
 */
export function freeNames(code: string): Map<string, Set<NameUse>> {
  const source = ts.createSourceFile('example.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const used = new Map<string, Set<NameUse>>();
  const declared = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      if (isDeclarationName(node)) declared.add(node.text);
      else if (!isPropertyName(node))
        used.set(node.text, (used.get(node.text) ?? new Set()).add(useOf(node)));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return new Map([...used].filter(([name]) => !declared.has(name)));
}

function useOf(node: ts.Identifier): NameUse {
  const parent = node.parent;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression === node)
    return 'call';
  if (
    ts.isTypeReferenceNode(parent) ||
    ts.isExpressionWithTypeArguments(parent) ||
    ts.isTypeQueryNode(parent)
  ) {
    return 'type';
  }
  if (ts.isQualifiedName(parent) && parent.left === node) return 'type';
  return 'value';
}

function isDeclarationName(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isImportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) return true;
  if (ts.isImportEqualsDeclaration(parent)) return parent.name === node;
  if (ts.isBindingElement(parent)) return parent.name === node;
  return (
    (ts.isVariableDeclaration(parent) ||
      ts.isParameter(parent) ||
      ts.isFunctionDeclaration(parent) ||
      ts.isFunctionExpression(parent) ||
      ts.isClassDeclaration(parent) ||
      ts.isClassExpression(parent) ||
      ts.isInterfaceDeclaration(parent) ||
      ts.isTypeAliasDeclaration(parent) ||
      ts.isEnumDeclaration(parent) ||
      ts.isModuleDeclaration(parent) ||
      ts.isTypeParameterDeclaration(parent)) &&
    parent.name === node
  );
}

function isPropertyName(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent)) return parent.name === node;
  if (ts.isQualifiedName(parent)) return parent.right === node;
  if (ts.isShorthandPropertyAssignment(parent)) return false;
  if (
    ts.isPropertyAssignment(parent) ||
    ts.isPropertySignature(parent) ||
    ts.isPropertyDeclaration(parent) ||
    ts.isMethodDeclaration(parent) ||
    ts.isMethodSignature(parent) ||
    ts.isGetAccessor(parent) ||
    ts.isSetAccessor(parent) ||
    ts.isEnumMember(parent)
  ) {
    return parent.name === node;
  }
  return (
    ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent) || ts.isExportSpecifier(parent)
  );
}
