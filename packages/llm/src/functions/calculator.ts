// `calculator`: arithmetic through mathjs, never eval. The expression is parsed, and every
// node of its tree must be a number, an arithmetic operator, parentheses, a known constant
// or a call of a whitelisted function; assignments, ranges, matrices, objects, strings,
// units, property access and anything else are refused before evaluation. The instance's
// dangerous functions are disabled too (mathjs's documented hardening), as a second fence,
// and the functions whose running time grows with their arguments' values are bounded.
import { all, create, type FactoryFunctionMap, type MathNode } from "mathjs";
import { z } from "zod";
import { parseArguments } from "./arguments.ts";
import { type ChatFunction, errorResult } from "./types.ts";

export const MAX_EXPRESSION_CHARS = 500;

const math = create(all as FactoryFunctionMap, { number: "number" });
// Taken before the hardening below replaces them for expressions.
const parse = math.parse;
const evaluateParsed = (node: MathNode) => node.compile().evaluate(new Map());
const disabled = () => {
  throw new Error("This function is disabled.");
};

const NOT_FINITE = "The result is not a finite number.";
const { combinations, permutations } = math;
/**
 * mathjs counts combinations and permutations in a loop as long as their smaller argument: a
 * model asking for combinations(1e12, 5e11) would hold the origin's one thread for hours.
 * Past these sizes the result exceeds a double anyway (C(n, k) >= C(2k, k) > 2^1024 once
 * k > 512; P(n, k) >= k! > 2^1024 once k > 170), so they are refused before the loop.
 */
const MAX_COMBINATIONS_K = 1_100;
const MAX_PERMUTATIONS_K = 170;
const boundedCombinatorics = {
  combinations: (n: number, k: number) => {
    if (Math.min(k, n - k) > MAX_COMBINATIONS_K) throw new Error(NOT_FINITE);
    return combinations(n, k);
  },
  permutations: (n: number, k?: number) => {
    if ((k ?? n) > MAX_PERMUTATIONS_K) throw new Error(NOT_FINITE);
    return k === undefined ? permutations(n) : permutations(n, k);
  },
};
math.import(
  {
    import: disabled,
    createUnit: disabled,
    evaluate: disabled,
    parse: disabled,
    simplify: disabled,
    derivative: disabled,
    resolve: disabled,
    compile: disabled,
    reviver: disabled,
    ...boundedCombinatorics,
  },
  { override: true },
);

const OPERATORS = new Set([
  "add",
  "subtract",
  "multiply",
  "divide",
  "pow",
  "mod",
  "unaryMinus",
  "unaryPlus",
  "factorial",
]);
const CONSTANTS = new Set(["pi", "e", "tau", "phi"]);
const FUNCTIONS = new Set([
  "abs",
  "sqrt",
  "cbrt",
  "nthRoot",
  "exp",
  "log",
  "log10",
  "log2",
  "ln",
  "sin",
  "cos",
  "tan",
  "asin",
  "acos",
  "atan",
  "atan2",
  "sinh",
  "cosh",
  "tanh",
  "round",
  "floor",
  "ceil",
  "fix",
  "sign",
  "min",
  "max",
  "mod",
  "pow",
  "hypot",
  "gcd",
  "lcm",
  "factorial",
  "combinations",
  "permutations",
]);
// "ln" is what people write; mathjs calls it log.
const ALIASES: Record<string, string> = { ln: "log" };

/** Why the tree is refused, or null when every node is allowed. */
function refusalOf(root: MathNode): string | null {
  let problem: string | null = null;
  root.traverse((node, _path, parent) => {
    if (problem !== null) return;
    switch (node.type) {
      case "ConstantNode":
        if (typeof (node as unknown as { value: unknown }).value !== "number")
          problem = "Only numbers are allowed.";
        return;
      case "ParenthesisNode":
        return;
      case "OperatorNode": {
        const fn = (node as unknown as { fn: string }).fn;
        if (!OPERATORS.has(fn))
          problem = `The operator ${(node as unknown as { op: string }).op} is not allowed.`;
        return;
      }
      case "FunctionNode": {
        const fnNode = (node as unknown as { fn: MathNode }).fn;
        const name = fnNode.type === "SymbolNode" ? (fnNode as unknown as { name: string }).name : "";
        if (!FUNCTIONS.has(name)) problem = `The function ${name || "(expression)"} is not allowed.`;
        return;
      }
      case "SymbolNode": {
        const name = (node as unknown as { name: string }).name;
        const isCallee =
          parent?.type === "FunctionNode" && (parent as unknown as { fn: MathNode }).fn === node;
        if (!isCallee && !CONSTANTS.has(name))
          problem = `Unknown name ${name}: only numbers, operators, functions and pi, e, tau, phi.`;
        return;
      }
      default:
        problem = "Only arithmetic expressions are allowed.";
    }
  });
  return problem;
}

function withAliases(root: MathNode): MathNode {
  return root.transform((node) => {
    if (node.type !== "FunctionNode") return node;
    const fn = (node as unknown as { fn: { type: string; name: string } }).fn;
    const alias = ALIASES[fn.name];
    if (fn.type !== "SymbolNode" || alias === undefined) return node;
    const args = (node as unknown as { args: MathNode[] }).args;
    return new math.FunctionNode(new math.SymbolNode(alias), args);
  });
}

const argumentsSchema = z.strictObject({
  expression: z.string().trim().min(1).max(MAX_EXPRESSION_CHARS),
});

export function evaluateExpression(
  expression: string,
): { ok: true; value: number } | { ok: false; message: string } {
  let root: MathNode;
  try {
    root = parse(expression);
  } catch (error) {
    return { ok: false, message: `Cannot parse the expression: ${(error as Error).message}` };
  }
  const refusal = refusalOf(root);
  if (refusal !== null) return { ok: false, message: refusal };
  let value: unknown;
  try {
    value = evaluateParsed(withAliases(root));
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return { ok: false, message: NOT_FINITE };
  }
  return { ok: true, value };
}

export const calculator: ChatFunction = {
  name: "calculator",
  definition: {
    type: "function",
    function: {
      name: "calculator",
      description:
        "Evaluates an arithmetic expression exactly, e.g. '(2+3)*4', '2^10', 'sqrt(16) + sin(pi/2)', '5!'. Numbers, + - * / ^ %, parentheses, pi, e and common math functions only.",
      parameters: {
        type: "object",
        properties: {
          expression: {
            type: "string",
            description: "The expression to evaluate.",
            maxLength: MAX_EXPRESSION_CHARS,
          },
        },
        required: ["expression"],
        additionalProperties: false,
      },
      strict: true,
    },
  },
  async execute(argumentsJson) {
    const args = parseArguments(argumentsSchema, argumentsJson);
    if (!args.ok) return args.result;
    const outcome = evaluateExpression(args.value.expression);
    if (!outcome.ok) return errorResult("evaluation_failed", outcome.message);
    return JSON.stringify({ expression: args.value.expression, result: outcome.value });
  },
};
