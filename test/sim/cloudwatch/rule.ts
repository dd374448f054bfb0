/**
 * Composite alarm rules: `ALARM("a") AND (OK(b) OR NOT INSUFFICIENT_DATA("c"))`, `TRUE`,
 * `FALSE`. Names may be alarm names or alarm ARNs, quoted or not.
 */
import { AwsError } from '../core/errors.js';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export type RuleNode =
  | { kind: 'const'; value: boolean }
  | { kind: 'state'; state: AlarmState; alarm: string }
  | { kind: 'not'; arg: RuleNode }
  | { kind: 'and' | 'or'; args: RuleNode[] };

function invalid(rule: string, why: string): AwsError {
  return new AwsError('InvalidParameterValue', `Invalid AlarmRule '${rule}': ${why}`);
}

/** Strips an alarm ARN down to the alarm name. */
export function alarmNameOf(ref: string): string {
  const m = /^arn:aws:cloudwatch:[^:]*:\d+:alarm:(.+)$/.exec(ref);
  return m ? (m[1] ?? ref) : ref;
}

export function parseRule(rule: string): RuleNode {
  let pos = 0;
  const skip = () => {
    while (pos < rule.length && /\s/.test(rule.charAt(pos))) pos++;
  };
  const keyword = (word: string): boolean => {
    skip();
    const next = rule.slice(pos, pos + word.length);
    const after = rule.charAt(pos + word.length);
    if (next.toUpperCase() === word && !/[A-Za-z_]/.test(after)) {
      pos += word.length;
      return true;
    }
    return false;
  };
  const expect = (ch: string) => {
    skip();
    if (rule.charAt(pos) !== ch) throw invalid(rule, `expected '${ch}' at position ${pos}`);
    pos++;
  };
  const name = (): string => {
    skip();
    if (rule.charAt(pos) === '"') {
      const end = rule.indexOf('"', pos + 1);
      if (end < 0) throw invalid(rule, 'unterminated quoted alarm name');
      const n = rule.slice(pos + 1, end);
      pos = end + 1;
      return n;
    }
    const end = rule.indexOf(')', pos);
    if (end < 0) throw invalid(rule, "expected ')'");
    const n = rule.slice(pos, end).trim();
    pos = end;
    return n;
  };
  const primary = (): RuleNode => {
    skip();
    if (keyword('NOT')) return { kind: 'not', arg: primary() };
    if (keyword('TRUE')) return { kind: 'const', value: true };
    if (keyword('FALSE')) return { kind: 'const', value: false };
    for (const state of ['INSUFFICIENT_DATA', 'ALARM', 'OK'] as const) {
      if (keyword(state)) {
        expect('(');
        const alarm = alarmNameOf(name());
        expect(')');
        if (!alarm) throw invalid(rule, 'empty alarm name');
        return { kind: 'state', state, alarm };
      }
    }
    if (rule.charAt(pos) === '(') {
      pos++;
      const inner = or();
      expect(')');
      return inner;
    }
    throw invalid(rule, `unexpected input at position ${pos}`);
  };
  const and = (): RuleNode => {
    const args = [primary()];
    while (keyword('AND')) args.push(primary());
    return args.length === 1 ? args[0]! : { kind: 'and', args };
  };
  const or = (): RuleNode => {
    const args = [and()];
    while (keyword('OR')) args.push(and());
    return args.length === 1 ? args[0]! : { kind: 'or', args };
  };
  const tree = or();
  skip();
  if (pos !== rule.length) throw invalid(rule, `unexpected input at position ${pos}`);
  return tree;
}

/** Every alarm name a rule refers to. */
export function ruleAlarms(node: RuleNode): string[] {
  switch (node.kind) {
    case 'const':
      return [];
    case 'state':
      return [node.alarm];
    case 'not':
      return ruleAlarms(node.arg);
    default:
      return node.args.flatMap(ruleAlarms);
  }
}

export function evaluateRule(node: RuleNode, stateOf: (alarm: string) => AlarmState | undefined): boolean {
  switch (node.kind) {
    case 'const':
      return node.value;
    case 'state':
      return stateOf(node.alarm) === node.state;
    case 'not':
      return !evaluateRule(node.arg, stateOf);
    case 'and':
      return node.args.every((a) => evaluateRule(a, stateOf));
    case 'or':
      return node.args.some((a) => evaluateRule(a, stateOf));
  }
}
