/**
 * The ELBv2 control plane (awsQuery): load balancers, listeners, rules, target groups,
 * targets, attributes and tags, with AWS's validation and error codes.
 */

import { AwsError } from '../core/errors.js';
import type { Handler } from '../core/server.js';
import type { ElbSim } from './index.js';
import {
  type Action,
  ARN_PREFIX,
  type Condition,
  hexId,
  type Listener,
  LOAD_BALANCER_ATTRIBUTE_DEFAULTS,
  type LoadBalancer,
  type Rule,
  TARGET_GROUP_ATTRIBUTE_DEFAULTS,
  type Tag,
  type TargetGroup,
  type TargetGroupTuple,
  targetKey,
} from './model.js';
import { bool, inRange, int, list, obj, type Params, required, str, strings, validation } from './params.js';
import { recordChange } from './propagation.js';

const MAX_RULES_PER_LOAD_BALANCER = 100;
const MAX_TARGET_GROUPS = 3000;
const MAX_TAGS = 50;
const MAX_TARGET_GROUPS_PER_ACTION = 5;

const notFound = {
  loadBalancer: () => new AwsError('LoadBalancerNotFound', 'One or more load balancers not found'),
  listener: () => new AwsError('ListenerNotFound', 'One or more listeners not found'),
  rule: () => new AwsError('RuleNotFound', 'One or more rules not found'),
  targetGroup: () => new AwsError('TargetGroupNotFound', 'One or more target groups not found'),
};

// ---------- describe shapes ----------

function describeLoadBalancer(lb: LoadBalancer) {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: `${lb.name}-${parseInt(lb.id.slice(0, 8), 16)}.us-east-1.elb.amazonaws.com`,
    CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
    CreatedTime: lb.createdAt,
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: 'vpc-0a1b2c3d4e5f60718',
    State: { Code: 'active' },
    Type: 'application',
    AvailabilityZones: lb.subnets.map((s, i) => ({ ZoneName: `us-east-1${'abcdef'[i % 6]}`, SubnetId: s })),
    SecurityGroups: lb.securityGroups,
    IpAddressType: 'ipv4',
  };
}

function describeListener(l: Listener) {
  return {
    ListenerArn: l.arn,
    LoadBalancerArn: l.loadBalancerArn,
    Port: l.port,
    Protocol: l.protocol,
    Certificates: l.certificates,
    SslPolicy: l.sslPolicy,
    DefaultActions: l.defaultRule.actions,
  };
}

function describeRule(r: Rule) {
  return {
    RuleArn: r.arn,
    Priority: r.priority === undefined ? 'default' : String(r.priority),
    Conditions: r.conditions,
    Actions: r.actions,
    IsDefault: r.priority === undefined,
  };
}

// ---------- parsing and validation ----------

function parseTags(p: Params): Tag[] {
  return list(p, 'Tags').map((t) => ({ Key: required(t, 'Key'), Value: str(t, 'Value') ?? '' }));
}

function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.Key, t]));
  for (const t of added) byKey.set(t.Key, t);
  if (byKey.size > MAX_TAGS)
    throw new AwsError('TooManyTags', 'You have reached the limit on the number of tags');
  return [...byKey.values()];
}

function checkName(kind: 'Load balancer' | 'Target group', name: string): void {
  if (name.length > 32) throw validation(`${kind} name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) {
    throw validation(
      `${kind} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`,
    );
  }
  if (name.startsWith('-') || name.endsWith('-')) {
    throw validation(`${kind} name '${name}' cannot begin or end with '-'`);
  }
}

export class ElbApi {
  constructor(private readonly elb: ElbSim) {}

  private lb(arn: string): LoadBalancer {
    const lb = this.elb.loadBalancers.get(arn);
    if (!lb) throw notFound.loadBalancer();
    return lb;
  }

  private listener(arn: string): Listener {
    const l = this.elb.listeners.get(arn);
    if (!l) throw notFound.listener();
    return l;
  }

  private rule(arn: string): Rule {
    const r = this.elb.rules.get(arn);
    if (!r) throw notFound.rule();
    return r;
  }

  private tg(arn: string): TargetGroup {
    const tg = this.elb.targetGroups.get(arn);
    if (!tg) throw notFound.targetGroup();
    return tg;
  }

  /** Turns request actions into the normalised shape DescribeListeners/DescribeRules return. */
  private parseActions(raw: Params[], loadBalancerArn: string): Action[] {
    if (raw.length === 0) throw validation('At least one action must be specified');
    const actions = raw.map((a): Action => {
      const type = required(a, 'Type');
      const order = int(a, 'Order');
      inRange('Order', order, 1, 50000);
      const base: Action = { Type: type, ...(order === undefined ? {} : { Order: order }) };
      switch (type) {
        case 'forward':
          return { ...base, ...this.parseForward(a, loadBalancerArn) };
        case 'fixed-response': {
          const cfg = obj(a, 'FixedResponseConfig');
          const status = cfg ? required(cfg, 'StatusCode') : undefined;
          if (!cfg || !status || !/^[245]\d\d$/.test(status)) {
            throw validation('A fixed-response action requires a StatusCode of 2XX, 4XX or 5XX');
          }
          return {
            ...base,
            FixedResponseConfig: {
              StatusCode: status,
              ContentType: str(cfg, 'ContentType'),
              MessageBody: str(cfg, 'MessageBody'),
            },
          };
        }
        case 'redirect': {
          const cfg = obj(a, 'RedirectConfig');
          const status = cfg ? str(cfg, 'StatusCode') : undefined;
          if (!cfg || (status !== 'HTTP_301' && status !== 'HTTP_302')) {
            throw validation('A redirect action requires a StatusCode of HTTP_301 or HTTP_302');
          }
          return {
            ...base,
            RedirectConfig: {
              Protocol: str(cfg, 'Protocol') ?? '#{protocol}',
              Port: str(cfg, 'Port') ?? '#{port}',
              Host: str(cfg, 'Host') ?? '#{host}',
              Path: str(cfg, 'Path') ?? '/#{path}',
              Query: str(cfg, 'Query') ?? '#{query}',
              StatusCode: status,
            },
          };
        }
        case 'authenticate-oidc':
        case 'authenticate-cognito':
          // Accepted for shape; the data plane does not authenticate.
          return { ...base, ...a } as Action;
        default:
          throw validation(`Action type '${type}' is not valid`);
      }
    });
    const terminal = actions.filter((a) => ['forward', 'fixed-response', 'redirect'].includes(a.Type));
    if (terminal.length !== 1) {
      throw new AwsError(
        'InvalidConfigurationRequest',
        'A rule must have exactly one forward, redirect or fixed-response action',
      );
    }
    return actions;
  }

  private parseForward(a: Params, loadBalancerArn: string): Partial<Action> {
    const cfg = obj(a, 'ForwardConfig');
    const single = str(a, 'TargetGroupArn');
    let groups: TargetGroupTuple[] = (cfg ? list(cfg, 'TargetGroups') : []).map((g) => {
      const weight = int(g, 'Weight') ?? 1;
      inRange('Weight', weight, 0, 999);
      return { TargetGroupArn: required(g, 'TargetGroupArn'), Weight: weight };
    });
    if (single) {
      if (groups.length === 0) groups = [{ TargetGroupArn: single, Weight: 1 }];
      else if (groups.length !== 1 || groups[0]?.TargetGroupArn !== single) {
        throw validation(
          'You cannot specify both a target group ARN and a forward config with a different target group',
        );
      }
    }
    if (groups.length === 0) throw validation('A forward action requires a target group');
    if (groups.length > MAX_TARGET_GROUPS_PER_ACTION) {
      throw new AwsError(
        'TooManyTargetGroups',
        `You cannot specify more than ${MAX_TARGET_GROUPS_PER_ACTION} target groups in a forward action`,
      );
    }
    if (new Set(groups.map((g) => g.TargetGroupArn)).size !== groups.length) {
      throw validation('A target group can be specified only once in a forward action');
    }
    for (const g of groups) {
      this.tg(g.TargetGroupArn);
      const others = this.elb.loadBalancersOf(g.TargetGroupArn).filter((lb) => lb !== loadBalancerArn);
      if (others.length > 0) {
        throw new AwsError(
          'TargetGroupAssociationLimit',
          `The following target groups cannot be associated with more than one load balancer: ${g.TargetGroupArn}`,
        );
      }
    }
    const sticky = cfg ? obj(cfg, 'TargetGroupStickinessConfig') : undefined;
    const enabled = sticky ? (bool(sticky, 'Enabled') ?? false) : false;
    const duration = sticky ? int(sticky, 'DurationSeconds') : undefined;
    inRange('DurationSeconds', duration, 1, 604800);
    if (enabled && duration === undefined) {
      throw validation('The stickiness duration must be specified when target group stickiness is enabled');
    }
    return {
      // AWS echoes TargetGroupArn only when the forward has a single group.
      ...(groups.length === 1 ? { TargetGroupArn: groups[0]?.TargetGroupArn } : {}),
      ForwardConfig: {
        TargetGroups: groups,
        TargetGroupStickinessConfig: { Enabled: enabled, ...(enabled ? { DurationSeconds: duration } : {}) },
      },
    };
  }

  private parseConditions(raw: Params[]): Condition[] {
    if (raw.length === 0) throw validation('A rule must have at least one condition');
    let valueCount = 0;
    const conditions = raw.map((c): Condition => {
      const field = required(c, 'Field');
      const pick = (key: string): string[] => {
        const cfg = obj(c, key);
        const values = cfg ? strings(cfg, 'Values') : strings(c, 'Values');
        if (values.length === 0) throw validation(`A '${field}' condition must have at least one value`);
        valueCount += values.length;
        return values;
      };
      switch (field) {
        case 'host-header': {
          const values = pick('HostHeaderConfig');
          for (const v of values) {
            if (v.length > 128)
              throw validation(`The host-header value '${v}' is longer than 128 characters`);
          }
          return { Field: field, Values: values, HostHeaderConfig: { Values: values } };
        }
        case 'path-pattern': {
          const values = pick('PathPatternConfig');
          for (const v of values) {
            if (v.length > 128)
              throw validation(`The path-pattern value '${v}' is longer than 128 characters`);
          }
          return { Field: field, Values: values, PathPatternConfig: { Values: values } };
        }
        case 'http-header': {
          const cfg = obj(c, 'HttpHeaderConfig');
          if (!cfg) throw validation("An 'http-header' condition requires HttpHeaderConfig");
          const values = pick('HttpHeaderConfig');
          return {
            Field: field,
            HttpHeaderConfig: { HttpHeaderName: required(cfg, 'HttpHeaderName'), Values: values },
          };
        }
        case 'http-request-method':
          return { Field: field, HttpRequestMethodConfig: { Values: pick('HttpRequestMethodConfig') } };
        case 'source-ip':
          return { Field: field, SourceIpConfig: { Values: pick('SourceIpConfig') } };
        case 'query-string': {
          const cfg = obj(c, 'QueryStringConfig');
          const values = (cfg ? list(cfg, 'Values') : []).map((kv) => ({
            Key: str(kv, 'Key'),
            Value: required(kv, 'Value'),
          }));
          if (values.length === 0)
            throw validation("A 'query-string' condition must have at least one value");
          valueCount += values.length;
          return { Field: field, QueryStringConfig: { Values: values } };
        }
        default:
          throw validation(`Condition field '${field}' is not valid`);
      }
    });
    if (valueCount > 5) {
      throw new AwsError('TooManyConditionValues', 'A rule can have at most 5 condition values');
    }
    return conditions;
  }

  private parsePriority(p: Params): number {
    const priority = int(p, 'Priority');
    if (priority === undefined) throw validation('A rule priority must be specified');
    inRange('Priority', priority, 1, 50000);
    return priority;
  }

  private checkPriorityFree(listener: Listener, priority: number, except?: Rule): void {
    if (listener.rules.some((r) => r !== except && r.priority === priority)) {
      throw new AwsError('PriorityInUse', `Priority '${priority}' is currently in use`);
    }
  }

  // ---------- load balancers ----------

  createLoadBalancer = (p: Params) => {
    const name = required(p, 'Name');
    checkName('Load balancer', name);
    if (name.startsWith('internal-')) throw validation("Load balancer name cannot begin with 'internal-'");
    const type = str(p, 'Type') ?? 'application';
    if (type !== 'application') {
      throw validation(`The simulator only models application load balancers, not '${type}'`);
    }
    const existing = [...this.elb.loadBalancers.values()].find((lb) => lb.name === name);
    if (existing) return { LoadBalancers: [describeLoadBalancer(existing)] };
    const id = hexId();
    const subnets = [
      ...strings(p, 'Subnets'),
      ...list(p, 'SubnetMappings').map((m) => required(m, 'SubnetId')),
    ];
    const lb: LoadBalancer = {
      arn: `${ARN_PREFIX}loadbalancer/app/${name}/${id}`,
      name,
      id,
      createdAt: new Date(this.elb.sim.clock.now()),
      scheme: str(p, 'Scheme') ?? 'internet-facing',
      securityGroups: strings(p, 'SecurityGroups'),
      subnets: subnets.length > 0 ? subnets : ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
      attributes: new Map(Object.entries(LOAD_BALANCER_ATTRIBUTE_DEFAULTS)),
      tags: mergeTags([], parseTags(p)),
    };
    this.elb.loadBalancers.set(lb.arn, lb);
    return { LoadBalancers: [describeLoadBalancer(lb)] };
  };

  describeLoadBalancers = (p: Params) => {
    const arns = strings(p, 'LoadBalancerArns');
    const names = strings(p, 'Names');
    const all = [...this.elb.loadBalancers.values()];
    let found = all;
    if (arns.length > 0) found = arns.map((a) => this.lb(a));
    else if (names.length > 0) {
      found = names.map((n) => {
        const lb = all.find((x) => x.name === n);
        if (!lb) throw new AwsError('LoadBalancerNotFound', `Load balancers '[${n}]' not found`);
        return lb;
      });
    }
    return { LoadBalancers: found.map(describeLoadBalancer) };
  };

  deleteLoadBalancer = async (p: Params) => {
    const arn = required(p, 'LoadBalancerArn');
    const lb = this.elb.loadBalancers.get(arn);
    // Deleting a load balancer that is already gone succeeds, as on AWS.
    if (!lb) return {};
    if (lb.attributes.get('deletion_protection.enabled') === 'true') {
      throw new AwsError(
        'OperationNotPermitted',
        `Load balancer '${arn}' cannot be deleted because deletion protection is enabled`,
      );
    }
    for (const l of [...this.elb.listeners.values()]) {
      if (l.loadBalancerArn === arn) await this.elb.removeListener(l);
    }
    this.elb.loadBalancers.delete(arn);
    return {};
  };

  describeLoadBalancerAttributes = (p: Params) => {
    const lb = this.lb(required(p, 'LoadBalancerArn'));
    return { Attributes: [...lb.attributes].map(([Key, Value]) => ({ Key, Value })) };
  };

  modifyLoadBalancerAttributes = (p: Params) => {
    const lb = this.lb(required(p, 'LoadBalancerArn'));
    const changes = list(p, 'Attributes').map((a) => [required(a, 'Key'), str(a, 'Value') ?? ''] as const);
    for (const [key, value] of changes) {
      if (!lb.attributes.has(key)) throw validation(`Load balancer attribute key '${key}' is not recognized`);
      if (key === 'idle_timeout.timeout_seconds') inRange(key, Number(value), 1, 4000);
    }
    for (const [key, value] of changes) lb.attributes.set(key, value);
    return { Attributes: [...lb.attributes].map(([Key, Value]) => ({ Key, Value })) };
  };

  // ---------- listeners ----------

  createListener = async (p: Params) => {
    const lb = this.lb(required(p, 'LoadBalancerArn'));
    const port = int(p, 'Port');
    if (port === undefined) throw validation('A listener port must be specified');
    inRange('Port', port, 1, 65535);
    const protocol = str(p, 'Protocol') ?? 'HTTP';
    if (protocol !== 'HTTP' && protocol !== 'HTTPS') {
      throw validation(`Protocol '${protocol}' is not supported by application load balancers`);
    }
    const certificates = list(p, 'Certificates');
    if (protocol === 'HTTPS' && certificates.length === 0) {
      throw new AwsError('CertificateNotFound', 'A certificate must be specified for HTTPS listeners');
    }
    const existing = [...this.elb.listeners.values()].find(
      (l) => l.loadBalancerArn === lb.arn && l.port === port,
    );
    const actions = this.parseActions(list(p, 'DefaultActions'), lb.arn);
    if (existing) {
      throw new AwsError(
        'DuplicateListener',
        'A listener already exists on this port for this load balancer',
      );
    }
    const id = hexId();
    const arn = `${ARN_PREFIX}listener/app/${lb.name}/${lb.id}/${id}`;
    const listener: Listener = {
      arn,
      id,
      loadBalancerArn: lb.arn,
      port,
      protocol,
      certificates: certificates.length > 0 ? certificates : undefined,
      sslPolicy: protocol === 'HTTPS' ? (str(p, 'SslPolicy') ?? 'ELBSecurityPolicy-2016-08') : undefined,
      defaultRule: {
        arn: `${ARN_PREFIX}listener-rule/app/${lb.name}/${lb.id}/${id}/${hexId()}`,
        listenerArn: arn,
        conditions: [],
        actions,
        tags: [],
      },
      rules: [],
      tags: mergeTags([], parseTags(p)),
    };
    await this.elb.addListener(listener);
    return { Listeners: [describeListener(listener)] };
  };

  describeListeners = (p: Params) => {
    const arns = strings(p, 'ListenerArns');
    const lbArn = str(p, 'LoadBalancerArn');
    if (arns.length > 0 && lbArn) {
      throw validation('Listener ARNs and a load balancer ARN cannot be specified at the same time');
    }
    if (arns.length > 0) return { Listeners: arns.map((a) => describeListener(this.listener(a))) };
    if (!lbArn) throw validation('You must specify either listener ARNs or a load balancer ARN');
    this.lb(lbArn);
    const found = [...this.elb.listeners.values()].filter((l) => l.loadBalancerArn === lbArn);
    return { Listeners: found.map(describeListener) };
  };

  modifyListener = (p: Params) => {
    const listener = this.listener(required(p, 'ListenerArn'));
    const port = int(p, 'Port');
    inRange('Port', port, 1, 65535);
    const protocol = str(p, 'Protocol');
    if (protocol && protocol !== 'HTTP' && protocol !== 'HTTPS') {
      throw validation(`Protocol '${protocol}' is not supported by application load balancers`);
    }
    if (
      port !== undefined &&
      [...this.elb.listeners.values()].some(
        (l) => l !== listener && l.loadBalancerArn === listener.loadBalancerArn && l.port === port,
      )
    ) {
      throw new AwsError(
        'DuplicateListener',
        'A listener already exists on this port for this load balancer',
      );
    }
    const rawActions = list(p, 'DefaultActions');
    // Validate everything first: a rejected request changes nothing.
    const actions =
      rawActions.length > 0 ? this.parseActions(rawActions, listener.loadBalancerArn) : undefined;
    if (port !== undefined) listener.port = port;
    if (protocol) listener.protocol = protocol;
    // One assignment: the proxy sees either the old actions or the new ones, never a mix.
    if (actions) this.propagate(listener.defaultRule, () => (listener.defaultRule.actions = actions));
    return { Listeners: [describeListener(listener)] };
  };

  deleteListener = async (p: Params) => {
    const listener = this.listener(required(p, 'ListenerArn'));
    await this.elb.removeListener(listener);
    return {};
  };

  // ---------- rules ----------

  createRule = (p: Params) => {
    const listener = this.listener(required(p, 'ListenerArn'));
    const priority = this.parsePriority(p);
    const conditions = this.parseConditions(list(p, 'Conditions'));
    const actions = this.parseActions(list(p, 'Actions'), listener.loadBalancerArn);
    this.checkPriorityFree(listener, priority);
    const ruleCount = [...this.elb.listeners.values()]
      .filter((l) => l.loadBalancerArn === listener.loadBalancerArn)
      .reduce((n, l) => n + l.rules.length, 0);
    if (ruleCount >= MAX_RULES_PER_LOAD_BALANCER) {
      throw new AwsError(
        'TooManyRules',
        'You\u2019ve reached the limit on the number of rules per load balancer',
      );
    }
    const lb = this.lb(listener.loadBalancerArn);
    const rule: Rule = {
      arn: `${ARN_PREFIX}listener-rule/app/${lb.name}/${lb.id}/${listener.id}/${hexId()}`,
      listenerArn: listener.arn,
      priority,
      conditions,
      actions,
      tags: mergeTags([], parseTags(p)),
    };
    listener.rules = [...listener.rules, rule];
    this.elb.rules.set(rule.arn, rule);
    return { Rules: [describeRule(rule)] };
  };

  describeRules = (p: Params) => {
    const arns = strings(p, 'RuleArns');
    const listenerArn = str(p, 'ListenerArn');
    if (arns.length > 0 && listenerArn) {
      throw validation('Rule ARNs and a listener ARN cannot be specified at the same time');
    }
    if (arns.length > 0) return { Rules: arns.map((a) => describeRule(this.rule(a))) };
    if (!listenerArn) throw validation('You must specify either listener ARN or rule ARNs');
    const listener = this.listener(listenerArn);
    const sorted = [...listener.rules].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
    return { Rules: [...sorted, listener.defaultRule].map(describeRule) };
  };

  modifyRule = (p: Params) => {
    const rule = this.rule(required(p, 'RuleArn'));
    const listener = this.listener(rule.listenerArn);
    const rawConditions = list(p, 'Conditions');
    const rawActions = list(p, 'Actions');
    if (rule.priority === undefined && rawConditions.length > 0) {
      throw new AwsError('OperationNotPermitted', 'The conditions of a default rule cannot be modified');
    }
    const conditions = rawConditions.length > 0 ? this.parseConditions(rawConditions) : undefined;
    const actions =
      rawActions.length > 0 ? this.parseActions(rawActions, listener.loadBalancerArn) : undefined;
    this.propagate(rule, () => {
      if (conditions) rule.conditions = conditions;
      if (actions) rule.actions = actions;
    });
    return { Rules: [describeRule(rule)] };
  };

  /** Apply a change to a rule now; its routing follows after the propagation delay. */
  private propagate(rule: Rule, change: () => void): void {
    const before = { actions: rule.actions, conditions: rule.conditions };
    change();
    recordChange(rule, before, this.elb.sim.clock.now(), this.elb.propagationDelayMs);
  }

  deleteRule = (p: Params) => {
    const rule = this.rule(required(p, 'RuleArn'));
    if (rule.priority === undefined) {
      throw new AwsError('OperationNotPermitted', 'Default rule cannot be deleted');
    }
    const listener = this.listener(rule.listenerArn);
    listener.rules = listener.rules.filter((r) => r !== rule);
    this.elb.rules.delete(rule.arn);
    return {};
  };

  setRulePriorities = (p: Params) => {
    const changes = list(p, 'RulePriorities').map((rp) => {
      const rule = this.rule(required(rp, 'RuleArn'));
      if (rule.priority === undefined) {
        throw new AwsError('OperationNotPermitted', 'The priority of a default rule cannot be changed');
      }
      return { rule, priority: this.parsePriority(rp) };
    });
    // Check the end state per listener, so swapping two priorities in one call works.
    const next = new Map<Rule, number>();
    for (const c of changes) next.set(c.rule, c.priority);
    const listeners = new Set(changes.map((c) => c.rule.listenerArn));
    for (const arn of listeners) {
      const seen = new Set<number>();
      for (const r of this.listener(arn).rules) {
        const priority = next.get(r) ?? r.priority ?? 0;
        if (seen.has(priority))
          throw new AwsError('PriorityInUse', `Priority '${priority}' is currently in use`);
        seen.add(priority);
      }
    }
    for (const c of changes) c.rule.priority = c.priority;
    return { Rules: changes.map((c) => describeRule(c.rule)) };
  };

  // ---------- target groups ----------

  private describeTargetGroup = (tg: TargetGroup) => ({
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.protocol,
    Port: tg.port,
    VpcId: tg.vpcId,
    HealthCheckProtocol: tg.healthCheck.protocol,
    HealthCheckPort: tg.healthCheck.port,
    HealthCheckEnabled: tg.healthCheck.enabled,
    HealthCheckIntervalSeconds: tg.healthCheck.intervalSeconds,
    HealthCheckTimeoutSeconds: tg.healthCheck.timeoutSeconds,
    HealthyThresholdCount: tg.healthCheck.healthyThreshold,
    UnhealthyThresholdCount: tg.healthCheck.unhealthyThreshold,
    HealthCheckPath: tg.healthCheck.path,
    Matcher: { HttpCode: tg.healthCheck.matcher },
    LoadBalancerArns: this.elb.loadBalancersOf(tg.arn),
    TargetType: tg.targetType,
    ProtocolVersion: tg.protocolVersion,
    IpAddressType: tg.ipAddressType,
  });

  private applyHealthCheck(tg: TargetGroup, p: Params): void {
    const hc = { ...tg.healthCheck };
    const interval = int(p, 'HealthCheckIntervalSeconds');
    const timeout = int(p, 'HealthCheckTimeoutSeconds');
    const healthy = int(p, 'HealthyThresholdCount');
    const unhealthy = int(p, 'UnhealthyThresholdCount');
    inRange('HealthCheckIntervalSeconds', interval, 5, 300);
    inRange('HealthCheckTimeoutSeconds', timeout, 2, 120);
    inRange('HealthyThresholdCount', healthy, 2, 10);
    inRange('UnhealthyThresholdCount', unhealthy, 2, 10);
    hc.intervalSeconds = interval ?? hc.intervalSeconds;
    hc.timeoutSeconds = timeout ?? hc.timeoutSeconds;
    hc.healthyThreshold = healthy ?? hc.healthyThreshold;
    hc.unhealthyThreshold = unhealthy ?? hc.unhealthyThreshold;
    hc.path = str(p, 'HealthCheckPath') ?? hc.path;
    hc.protocol = str(p, 'HealthCheckProtocol') ?? hc.protocol;
    hc.port = str(p, 'HealthCheckPort') ?? hc.port;
    hc.enabled = bool(p, 'HealthCheckEnabled') ?? hc.enabled;
    const matcher = obj(p, 'Matcher');
    hc.matcher = (matcher && str(matcher, 'HttpCode')) ?? hc.matcher;
    if (!hc.path.startsWith('/')) throw validation("Health check path must begin with a '/' character");
    if (hc.timeoutSeconds >= hc.intervalSeconds) {
      throw validation(
        `Health check timeout '${hc.timeoutSeconds}' must be smaller than the interval '${hc.intervalSeconds}'`,
      );
    }
    if (!/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(hc.matcher)) {
      throw validation(`Health check matcher HTTP code '${hc.matcher}' is not valid`);
    }
    if (hc.port !== 'traffic-port') inRange('HealthCheckPort', Number(hc.port), 1, 65535);
    tg.healthCheck = hc;
  }

  createTargetGroup = (p: Params) => {
    const name = required(p, 'Name');
    checkName('Target group', name);
    const targetType = str(p, 'TargetType') ?? 'instance';
    if (!['instance', 'ip', 'lambda', 'alb'].includes(targetType)) {
      throw validation(`Target type '${targetType}' is not valid`);
    }
    const protocol = str(p, 'Protocol');
    const port = int(p, 'Port');
    const vpcId = str(p, 'VpcId');
    if (targetType !== 'lambda') {
      if (!protocol) throw validation('A protocol must be specified');
      if (port === undefined) throw validation('A port must be specified');
      if (!vpcId) throw validation('A VPC ID must be specified');
    }
    inRange('Port', port, 1, 65535);
    const tg: TargetGroup = {
      arn: `${ARN_PREFIX}targetgroup/${name}/${hexId()}`,
      name,
      id: '',
      protocol,
      protocolVersion:
        protocol === 'HTTP' || protocol === 'HTTPS' ? (str(p, 'ProtocolVersion') ?? 'HTTP1') : undefined,
      port,
      vpcId,
      targetType,
      ipAddressType: str(p, 'IpAddressType') ?? 'ipv4',
      healthCheck: {
        enabled: true,
        protocol: protocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
        port: 'traffic-port',
        path: '/',
        intervalSeconds: 30,
        timeoutSeconds: 5,
        healthyThreshold: 5,
        unhealthyThreshold: 2,
        matcher: '200',
      },
      attributes: new Map(Object.entries(TARGET_GROUP_ATTRIBUTE_DEFAULTS)),
      targets: new Map(),
      tags: mergeTags([], parseTags(p)),
      nextSeq: 0,
      cursor: 0,
    };
    tg.id = tg.arn.slice(tg.arn.lastIndexOf('/') + 1);
    this.applyHealthCheck(tg, p);
    const existing = [...this.elb.targetGroups.values()].find((x) => x.name === name);
    if (existing) {
      // Creating the same group twice is idempotent; a different one under that name is not.
      const same =
        existing.protocol === tg.protocol &&
        existing.port === tg.port &&
        existing.vpcId === tg.vpcId &&
        existing.targetType === tg.targetType &&
        JSON.stringify(existing.healthCheck) === JSON.stringify(tg.healthCheck);
      if (same) return { TargetGroups: [this.describeTargetGroup(existing)] };
      throw new AwsError(
        'DuplicateTargetGroupName',
        'A target group with the same name exists, but with different settings',
      );
    }
    if (this.elb.targetGroups.size >= MAX_TARGET_GROUPS) {
      throw new AwsError(
        'TooManyTargetGroups',
        'You have reached the limit on the number of target groups for your AWS account',
      );
    }
    this.elb.targetGroups.set(tg.arn, tg);
    return { TargetGroups: [this.describeTargetGroup(tg)] };
  };

  modifyTargetGroup = (p: Params) => {
    const tg = this.tg(required(p, 'TargetGroupArn'));
    this.applyHealthCheck(tg, p);
    return { TargetGroups: [this.describeTargetGroup(tg)] };
  };

  describeTargetGroups = (p: Params) => {
    const arns = strings(p, 'TargetGroupArns');
    const names = strings(p, 'Names');
    const lbArn = str(p, 'LoadBalancerArn');
    const all = [...this.elb.targetGroups.values()];
    let found = all;
    if (arns.length > 0) found = arns.map((a) => this.tg(a));
    else if (names.length > 0) {
      found = names.map((n) => {
        const tg = all.find((x) => x.name === n);
        if (!tg) throw new AwsError('TargetGroupNotFound', `Target groups '[${n}]' not found`);
        return tg;
      });
    }
    if (lbArn) {
      this.lb(lbArn);
      found = found.filter((tg) => this.elb.loadBalancersOf(tg.arn).includes(lbArn));
    }
    return { TargetGroups: found.map(this.describeTargetGroup) };
  };

  deleteTargetGroup = (p: Params) => {
    const arn = required(p, 'TargetGroupArn');
    const tg = this.elb.targetGroups.get(arn);
    // Deleting a group that is already gone succeeds, as on AWS.
    if (!tg) return {};
    if (this.elb.isInUse(tg)) {
      throw new AwsError(
        'ResourceInUse',
        `Target group '${arn}' is currently in use by a listener or a rule`,
      );
    }
    this.elb.removeTargetGroup(tg);
    return {};
  };

  describeTargetGroupAttributes = (p: Params) => {
    const tg = this.tg(required(p, 'TargetGroupArn'));
    return { Attributes: [...tg.attributes].map(([Key, Value]) => ({ Key, Value })) };
  };

  modifyTargetGroupAttributes = (p: Params) => {
    const tg = this.tg(required(p, 'TargetGroupArn'));
    const changes = list(p, 'Attributes').map((a) => [required(a, 'Key'), str(a, 'Value') ?? ''] as const);
    for (const [key, value] of changes) {
      if (!tg.attributes.has(key)) throw validation(`Target group attribute key '${key}' is not recognized`);
      if (key === 'deregistration_delay.timeout_seconds') {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0 || n > 3600) {
          throw validation(`Deregistration delay '${value}' must be an integer between 0 and 3600`);
        }
      }
      if (key === 'stickiness.enabled' && value !== 'true' && value !== 'false') {
        throw validation(`Attribute '${key}' must be 'true' or 'false'`);
      }
    }
    for (const [key, value] of changes) tg.attributes.set(key, value);
    return { Attributes: [...tg.attributes].map(([Key, Value]) => ({ Key, Value })) };
  };

  // ---------- targets ----------

  private parseTargets(p: Params, tg: TargetGroup): { id: string; port: number; az?: string }[] {
    const targets = list(p, 'Targets');
    if (targets.length === 0) throw validation('At least one target must be specified');
    return targets.map((t) => {
      const id = required(t, 'Id');
      const port = int(t, 'Port') ?? tg.port;
      if (port === undefined) throw validation(`A port must be specified for target '${id}'`);
      inRange('Port', port, 1, 65535);
      if (tg.targetType === 'ip' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(id)) {
        throw validation(`The IP address '${id}' is not a valid IPv4 address`);
      }
      if (tg.targetType === 'instance' && !/^i-[0-9a-f]+$/.test(id)) {
        throw new AwsError('InvalidTarget', `The following targets are not valid instances: '${id}'`);
      }
      return { id, port, az: str(t, 'AvailabilityZone') };
    });
  }

  registerTargets = (p: Params) => {
    const tg = this.tg(required(p, 'TargetGroupArn'));
    for (const t of this.parseTargets(p, tg)) this.elb.registerTarget(tg.arn, t);
    return {};
  };

  deregisterTargets = (p: Params) => {
    const tg = this.tg(required(p, 'TargetGroupArn'));
    for (const t of this.parseTargets(p, tg)) this.elb.deregisterTarget(tg.arn, t);
    return {};
  };

  describeTargetHealth = (p: Params) => {
    const tg = this.tg(required(p, 'TargetGroupArn'));
    const asked = list(p, 'Targets');
    const refs =
      asked.length > 0
        ? asked.map((t) => ({ id: required(t, 'Id'), port: int(t, 'Port') ?? tg.port ?? 0 }))
        : [...tg.targets.values()].sort((a, b) => a.seq - b.seq).map((t) => ({ id: t.id, port: t.port }));
    return {
      TargetHealthDescriptions: refs.map((ref) => {
        const t = tg.targets.get(targetKey(ref.id, ref.port));
        const hcPort = tg.healthCheck.port === 'traffic-port' ? String(ref.port) : tg.healthCheck.port;
        return {
          Target: { Id: ref.id, Port: ref.port, AvailabilityZone: t?.availabilityZone },
          HealthCheckPort: hcPort,
          TargetHealth: this.elb.targetHealth(tg.arn, ref),
        };
      }),
    };
  };

  // ---------- tags ----------

  private taggable(arn: string): { tags: Tag[] } {
    const resource = arn.startsWith(`${ARN_PREFIX}loadbalancer/`)
      ? this.lb(arn)
      : arn.startsWith(`${ARN_PREFIX}listener/`)
        ? this.listener(arn)
        : arn.startsWith(`${ARN_PREFIX}listener-rule/`)
          ? this.rule(arn)
          : arn.startsWith(`${ARN_PREFIX}targetgroup/`)
            ? this.tg(arn)
            : undefined;
    if (!resource) throw validation(`'${arn}' is not a valid Elastic Load Balancing resource ARN`);
    return resource;
  }

  private resourceArns(p: Params): string[] {
    const arns = strings(p, 'ResourceArns');
    if (arns.length === 0) throw validation('At least one resource ARN must be specified');
    if (arns.length > 20) {
      throw validation(
        "1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to 20",
      );
    }
    return arns;
  }

  addTags = (p: Params) => {
    const tags = parseTags(p);
    const resources = this.resourceArns(p).map((a) => this.taggable(a));
    const merged = resources.map((r) => mergeTags(r.tags, tags));
    resources.forEach((r, i) => {
      r.tags = merged[i] ?? r.tags;
    });
    return {};
  };

  removeTags = (p: Params) => {
    const keys = new Set(strings(p, 'TagKeys'));
    for (const r of this.resourceArns(p).map((a) => this.taggable(a))) {
      r.tags = r.tags.filter((t) => !keys.has(t.Key));
    }
    return {};
  };

  describeTags = (p: Params) => ({
    TagDescriptions: this.resourceArns(p).map((arn) => ({ ResourceArn: arn, Tags: this.taggable(arn).tags })),
  });

  describeAccountLimits = () => ({
    Limits: [
      { Name: 'application-load-balancers', Max: '50' },
      { Name: 'target-groups', Max: String(MAX_TARGET_GROUPS) },
      { Name: 'rules-per-application-load-balancer', Max: String(MAX_RULES_PER_LOAD_BALANCER) },
      { Name: 'targets-per-application-load-balancer', Max: '1000' },
      { Name: 'listeners-per-application-load-balancer', Max: '50' },
    ],
  });

  handlers(): Record<string, Handler> {
    return {
      CreateLoadBalancer: this.createLoadBalancer,
      DescribeLoadBalancers: this.describeLoadBalancers,
      DeleteLoadBalancer: this.deleteLoadBalancer,
      DescribeLoadBalancerAttributes: this.describeLoadBalancerAttributes,
      ModifyLoadBalancerAttributes: this.modifyLoadBalancerAttributes,
      CreateListener: this.createListener,
      DescribeListeners: this.describeListeners,
      ModifyListener: this.modifyListener,
      DeleteListener: this.deleteListener,
      CreateRule: this.createRule,
      DescribeRules: this.describeRules,
      ModifyRule: this.modifyRule,
      DeleteRule: this.deleteRule,
      SetRulePriorities: this.setRulePriorities,
      CreateTargetGroup: this.createTargetGroup,
      ModifyTargetGroup: this.modifyTargetGroup,
      DescribeTargetGroups: this.describeTargetGroups,
      DeleteTargetGroup: this.deleteTargetGroup,
      DescribeTargetGroupAttributes: this.describeTargetGroupAttributes,
      ModifyTargetGroupAttributes: this.modifyTargetGroupAttributes,
      RegisterTargets: this.registerTargets,
      DeregisterTargets: this.deregisterTargets,
      DescribeTargetHealth: this.describeTargetHealth,
      AddTags: this.addTags,
      RemoveTags: this.removeTags,
      DescribeTags: this.describeTags,
      DescribeAccountLimits: this.describeAccountLimits,
    };
  }
}
