import type { PrincipalCredentials } from './credentials.ts';
import { SASL_MECHANISM } from './credentials.ts';

export interface ServerPropertiesInput {
  port: number;
  controllerPort: number;
  logDirs: string;
  /** The super user: the broker's own connections and the ACL/topic administration. */
  admin: PrincipalCredentials;
}

function jaas(module: string, { username, password }: PrincipalCredentials, extra = ''): string {
  return `org.apache.kafka.common.security.${module} required username="${username}" password="${password}"${extra};`;
}

/**
 * server.properties of the local single-node KRaft broker. Clients authenticate with
 * SASL/SCRAM-SHA-512 on the CLIENT listener and are authorised by Kafka's StandardAuthorizer,
 * which denies what no ACL allows. The controller listener cannot use SCRAM (its credentials live
 * in the metadata log the controller serves), so it uses SASL/PLAIN with the admin password alone:
 * a PLAINTEXT controller listener would make its anonymous callers super users.
 * The file holds the admin password: it is written owner-only.
 */
export function propertiesFor({ port, controllerPort, logDirs, admin }: ServerPropertiesInput): string {
  // No inline comments: .properties values would swallow them.
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${String(controllerPort)}`,
    `listeners=CLIENT://127.0.0.1:${String(port)},CONTROLLER://127.0.0.1:${String(controllerPort)}`,
    `advertised.listeners=CLIENT://127.0.0.1:${String(port)}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT',
    'inter.broker.listener.name=CLIENT',
    `sasl.enabled.mechanisms=${SASL_MECHANISM}`,
    `sasl.mechanism.inter.broker.protocol=${SASL_MECHANISM}`,
    `listener.name.client.${SASL_MECHANISM.toLowerCase()}.sasl.jaas.config=${jaas('scram.ScramLoginModule', admin)}`,
    'sasl.mechanism.controller.protocol=PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    `listener.name.controller.plain.sasl.jaas.config=${jaas('plain.PlainLoginModule', admin, ` user_${admin.username}="${admin.password}"`)}`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found=false',
    `super.users=User:${admin.username}`,
    `log.dirs=${logDirs}`,
    'num.partitions=3',
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Lets consumers ask for a short session, so they resume within seconds of a broker restart.
    'group.min.session.timeout.ms=3000',
    'log.retention.hours=168',
    '',
  ].join('\n');
}

export const LOG4J2_CONFIG = `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="stdout" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Logger name="org.apache.kafka.common.utils.AppInfoParser" level="INFO"/>
    <Logger name="kafka.server.KafkaRaftServer" level="INFO"/>
    <Root level="WARN">
      <AppenderRef ref="stdout"/>
    </Root>
  </Loggers>
</Configuration>
`;
