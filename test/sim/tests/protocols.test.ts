import { describe, expect, it } from '@jest/globals';
import { decodeQuery } from '../core/protocols.js';

describe('awsQuery decoding', () => {
  it('turns member lists into arrays and nested keys into objects', () => {
    const form = decodeQuery(
      'Action=ModifyListener&ListenerArn=l&DefaultActions.member.1.Type=forward' +
        '&DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn=a' +
        '&DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight=90' +
        '&DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn=b' +
        '&DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight=10',
    );
    expect(form).toEqual({
      Action: 'ModifyListener',
      ListenerArn: 'l',
      DefaultActions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: 'a', Weight: '90' },
              { TargetGroupArn: 'b', Weight: '10' },
            ],
          },
        },
      ],
    });
  });
});
