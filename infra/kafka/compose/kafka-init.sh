#!/bin/sh
# docker-compose's kafka-init: creates the SCRAM users and ACLs of the stack once the broker is
# healthy, the same principals and grants as the no-Docker broker (infra/kafka/src/acls.ts; a test
# keeps the two equal). It signs in as the super user `admin` over SASL/PLAIN on the containers'
# listener (admin's password is static broker configuration: SCRAM users live in the metadata log
# this script writes). Passwords come from the environment (see docker-compose.yml) and are never
# printed. Both commands are idempotent: a restart of the stack sets the same users and ACLs again.
set -eu
umask 077
cat > /tmp/admin.properties <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD}";
PROPERTIES
bootstrap=kafka:19092

user() {
  /opt/kafka/bin/kafka-configs.sh --bootstrap-server "$bootstrap" --command-config /tmp/admin.properties \
    --alter --entity-type users --entity-name "$1" --add-config "SCRAM-SHA-512=[iterations=8192,password=$2]" > /dev/null
}
acl() {
  /opt/kafka/bin/kafka-acls.sh --bootstrap-server "$bootstrap" --command-config /tmp/admin.properties --add "$@" > /dev/null
}

user order-service "$KAFKA_ORDER_SERVICE_PASSWORD"
user study-service "$KAFKA_STUDY_SERVICE_PASSWORD"
user report-service "$KAFKA_REPORT_SERVICE_PASSWORD"
user timeline-service "$KAFKA_TIMELINE_SERVICE_PASSWORD"
user subscription-service "$KAFKA_SUBSCRIPTION_SERVICE_PASSWORD"
user tools "$KAFKA_TOOLS_PASSWORD"

acl --allow-principal User:order-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.servicerequest.v1'
acl --allow-principal User:order-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.audit.v1'
acl --allow-principal User:study-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.imagingstudy.v1'
acl --allow-principal User:study-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.audit.v1'
acl --allow-principal User:report-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.diagnosticreport.v1'
acl --allow-principal User:report-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.audit.v1'
acl --allow-principal User:timeline-service --operation Read --operation Describe --operation Create --topic 'imaging.servicerequest.v1'
acl --allow-principal User:timeline-service --operation Read --operation Describe --operation Create --topic 'imaging.imagingstudy.v1'
acl --allow-principal User:timeline-service --operation Read --operation Describe --operation Create --topic 'imaging.diagnosticreport.v1'
acl --allow-principal User:timeline-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.timeline.v1'
acl --allow-principal User:timeline-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.servicerequest.v1.dlq'
acl --allow-principal User:timeline-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.imagingstudy.v1.dlq'
acl --allow-principal User:timeline-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.diagnosticreport.v1.dlq'
acl --allow-principal User:timeline-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.audit.v1'
acl --allow-principal User:timeline-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.audit.v1.dlq'
acl --allow-principal User:timeline-service --operation Read --topic 'imaging.audit.v1'
acl --allow-principal User:timeline-service --operation Read --operation Describe --resource-pattern-type prefixed --group 'oncoimg-timeline-service'
acl --allow-principal User:timeline-service --operation Read --operation Describe --operation Delete --resource-pattern-type prefixed --group 'timeline-rebuild-'
acl --allow-principal User:subscription-service --operation Read --operation Describe --operation Create --topic 'imaging.servicerequest.v1'
acl --allow-principal User:subscription-service --operation Read --operation Describe --operation Create --topic 'imaging.imagingstudy.v1'
acl --allow-principal User:subscription-service --operation Read --operation Describe --operation Create --topic 'imaging.diagnosticreport.v1'
acl --allow-principal User:subscription-service --operation Read --operation Describe --operation Create --topic 'imaging.timeline.v1'
acl --allow-principal User:subscription-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.servicerequest.v1.dlq'
acl --allow-principal User:subscription-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.imagingstudy.v1.dlq'
acl --allow-principal User:subscription-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.diagnosticreport.v1.dlq'
acl --allow-principal User:subscription-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.timeline.v1.dlq'
acl --allow-principal User:subscription-service --operation Write --operation Describe --operation Create --operation DescribeConfigs --topic 'imaging.audit.v1'
acl --allow-principal User:subscription-service --operation Read --operation Describe --resource-pattern-type prefixed --group 'oncoimg-subscription-service'
acl --allow-principal User:tools --operation Read --operation Describe --operation DescribeConfigs --topic '*'
acl --allow-principal User:tools --operation Write --resource-pattern-type prefixed --topic 'imaging.'
acl --allow-principal User:tools --operation Describe --group '*'
acl --allow-principal User:tools --operation Read --operation Delete --resource-pattern-type prefixed --group 'oncoimg-cli-'
acl --allow-principal User:tools --operation Read --resource-pattern-type prefixed --group 'oncoimg-dlq-redrive'
acl --allow-principal User:tools --operation Read --resource-pattern-type prefixed --group 'oncoimg-timeline-consumer'
echo "kafka-init: users and ACLs in place"
