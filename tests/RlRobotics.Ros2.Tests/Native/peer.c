/* A DDS-native ROS 2 peer built from idlc's C for the ROS 2 message definitions. Modes:
 *   echo DOMAIN N    : takes N samples from rt/cross/joint_states_in and rt/cross/array_in, prints them, doubles every
 *                      position/data value and writes them to rt/cross/joint_states_out and rt/cross/array_out
 *   descriptors      : prints the ops of idlc's descriptors (compared with ours)
 *   serve DOMAIN N   : an AddTwoInts server on /cross/add_two_ints answering N requests (sum = a + b, guid and seq echoed)
 *   ask DOMAIN A B   : an AddTwoInts client: prints "matched", waits for a line on stdin, sends one request with its
 *                      writer's instance handle as guid and seq 42, prints the reply
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dds/dds.h"
#include "ros2_msgs.h"

static const char *config =
  "<CycloneDDS><Domain id=\"any\"><General><Interfaces><NetworkInterface name=\"lo\"/></Interfaces>"
  "<AllowMulticast>false</AllowMulticast></General><Discovery><ParticipantIndex>auto</ParticipantIndex>"
  "<MaxAutoParticipantIndex>32</MaxAutoParticipantIndex><Peers><Peer address=\"localhost\"/></Peers></Discovery>"
  "</Domain></CycloneDDS>";

static void print_ops(const char *name, const dds_topic_descriptor_t *d) {
  printf("%s size=%u align=%u nops=%u ops=", name, d->m_size, d->m_align, d->m_nops);
  /* the ops array is as long as the sum of the instruction lengths; print until the final RTS of the last struct */
  unsigned words = 0, rts = 0, structs = 0;
  for (unsigned i = 0; rts < d->m_nops; i++) { (void)i; break; }
  /* walk: count instructions until m_nops reached */
  unsigned n = 0;
  while (n < d->m_nops) {
    uint32_t op = d->m_ops[words];
    unsigned len;
    if (op == 0) len = 1;
    else {
      uint32_t type = (op >> 16) & 0x7f, sub = (op >> 8) & 0xff;
      switch (type) {
        case DDS_OP_VAL_EXT: len = 3; break;
        case DDS_OP_VAL_BST: len = 3; break;
        case DDS_OP_VAL_SEQ: len = sub == DDS_OP_VAL_STU ? 4 : sub == DDS_OP_VAL_BST ? 3 : 2; break;
        case DDS_OP_VAL_BSQ: len = sub == DDS_OP_VAL_STU ? 5 : sub == DDS_OP_VAL_BST ? 4 : 3; break;
        case DDS_OP_VAL_ARR: len = (sub == DDS_OP_VAL_STU || sub == DDS_OP_VAL_BST) ? 5 : 3; break;
        default: len = 2;
      }
    }
    for (unsigned k = 0; k < len; k++) printf("%s%u", words + k ? "," : "", d->m_ops[words + k]);
    words += len; n++;
  }
  (void)structs;
  printf("\n");
}

/* Waits until reader r and writer w have each matched at least one remote endpoint. */
static int wait_matched(dds_entity_t r, dds_entity_t w) {
  dds_time_t deadline = dds_time() + DDS_SECS(20);
  for (;;) {
    dds_subscription_matched_status_t a = {0}; dds_publication_matched_status_t b = {0};
    dds_get_subscription_matched_status(r, &a); dds_get_publication_matched_status(w, &b);
    if (a.current_count > 0 && b.current_count > 0) return 1;
    if (dds_time() > deadline) { fprintf(stderr, "endpoints did not match\n"); return 0; }
    dds_sleepfor(DDS_MSECS(10));
  }
}

static int service(int argc, char **argv) {
  int serve = strcmp(argv[1], "serve") == 0;
  if (!serve && argc < 5) return 2;
  uint32_t domain = (uint32_t)atoi(argv[2]);
  dds_create_domain(domain, config);
  dds_entity_t pp = dds_create_participant(domain, NULL, NULL);
  dds_qos_t *qos = dds_create_qos();
  dds_qset_reliability(qos, DDS_RELIABILITY_RELIABLE, DDS_INFINITY);
  dds_qset_history(qos, DDS_HISTORY_KEEP_ALL, 0);
  dds_entity_t treq = dds_create_topic(pp, &example_interfaces_srv_dds__AddTwoInts_Request__desc, "rq/cross/add_two_intsRequest", NULL, NULL);
  dds_entity_t trep = dds_create_topic(pp, &example_interfaces_srv_dds__AddTwoInts_Response__desc, "rr/cross/add_two_intsReply", NULL, NULL);
  if (serve) {
    int wanted = atoi(argv[3]), seen = 0;
    dds_entity_t rd = dds_create_reader(pp, treq, qos, NULL), wr = dds_create_writer(pp, trep, qos, NULL);
    if (!wait_matched(rd, wr)) return 4;
    printf("ready\n"); fflush(stdout);
    dds_time_t deadline = dds_time() + DDS_SECS(30);
    while (seen < wanted && dds_time() < deadline) {
      void *buf[1] = { NULL }; dds_sample_info_t si[1];
      if (dds_take(rd, buf, si, 1, 1) <= 0) { dds_sleepfor(DDS_MSECS(5)); continue; }
      if (si[0].valid_data) {
        example_interfaces_srv_dds__AddTwoInts_Request_ *q = buf[0];
        printf("request guid=%llu seq=%lld a=%lld b=%lld\n", (unsigned long long)q->guid, (long long)q->seq, (long long)q->a, (long long)q->b);
        fflush(stdout);
        example_interfaces_srv_dds__AddTwoInts_Response_ reply = { .guid = q->guid, .seq = q->seq, .sum = q->a + q->b };
        dds_write(wr, &reply);
        seen++;
      }
      dds_return_loan(rd, buf, 1);
    }
    dds_wait_for_acks(wr, DDS_SECS(10));
    dds_delete(pp);
    return seen >= wanted ? 0 : 3;
  }
  dds_entity_t wr = dds_create_writer(pp, treq, qos, NULL), rd = dds_create_reader(pp, trep, qos, NULL);
  if (!wait_matched(rd, wr)) return 4;
  printf("matched\n"); fflush(stdout);
  char line[16];
  if (fgets(line, sizeof line, stdin) == NULL) return 3;
  dds_instance_handle_t self = 0;
  dds_get_instance_handle(wr, &self);
  example_interfaces_srv_dds__AddTwoInts_Request_ q = { .guid = self, .seq = 42, .a = atoll(argv[3]), .b = atoll(argv[4]) };
  dds_write(wr, &q);
  dds_time_t deadline = dds_time() + DDS_SECS(20);
  while (dds_time() < deadline) {
    void *buf[1] = { NULL }; dds_sample_info_t si[1];
    if (dds_take(rd, buf, si, 1, 1) <= 0) { dds_sleepfor(DDS_MSECS(5)); continue; }
    example_interfaces_srv_dds__AddTwoInts_Response_ *r = buf[0];
    int mine = si[0].valid_data && r->guid == self;
    if (mine) printf("reply seq=%lld sum=%lld\n", (long long)r->seq, (long long)r->sum);
    dds_return_loan(rd, buf, 1);
    if (mine) { dds_delete(pp); return 0; }
  }
  fprintf(stderr, "no reply\n");
  return 5;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "descriptors") == 0) {
    print_ops("builtin_interfaces/msg/Time", &builtin_interfaces_msg_dds__Time__desc);
    print_ops("std_msgs/msg/Header", &std_msgs_msg_dds__Header__desc);
    print_ops("std_msgs/msg/Float64MultiArray", &std_msgs_msg_dds__Float64MultiArray__desc);
    print_ops("sensor_msgs/msg/JointState", &sensor_msgs_msg_dds__JointState__desc);
    return 0;
  }
  if (argc < 4) { fprintf(stderr, "usage: peer echo DOMAIN N | peer descriptors | peer serve DOMAIN N | peer ask DOMAIN A B\n"); return 2; }
  if (strcmp(argv[1], "serve") == 0 || strcmp(argv[1], "ask") == 0) return service(argc, argv);
  uint32_t domain = (uint32_t)atoi(argv[2]);
  int wanted = atoi(argv[3]);
  dds_create_domain(domain, config);
  dds_entity_t pp = dds_create_participant(domain, NULL, NULL);
  if (pp < 0) { fprintf(stderr, "participant: %s\n", dds_strretcode(pp)); return 1; }
  dds_qos_t *qos = dds_create_qos();
  dds_qset_reliability(qos, DDS_RELIABILITY_RELIABLE, DDS_INFINITY);
  dds_qset_history(qos, DDS_HISTORY_KEEP_LAST, 10);
  dds_entity_t tjs = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, "rt/cross/joint_states_in", NULL, NULL);
  dds_entity_t tjo = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, "rt/cross/joint_states_out", NULL, NULL);
  dds_entity_t tai = dds_create_topic(pp, &std_msgs_msg_dds__Float64MultiArray__desc, "rt/cross/array_in", NULL, NULL);
  dds_entity_t tao = dds_create_topic(pp, &std_msgs_msg_dds__Float64MultiArray__desc, "rt/cross/array_out", NULL, NULL);
  dds_entity_t rjs = dds_create_reader(pp, tjs, qos, NULL), wjs = dds_create_writer(pp, tjo, qos, NULL);
  dds_entity_t rai = dds_create_reader(pp, tai, qos, NULL), wao = dds_create_writer(pp, tao, qos, NULL);
  dds_entity_t ws = dds_create_waitset(pp);
  dds_waitset_attach(ws, dds_create_readcondition(rjs, DDS_ANY_STATE), 1);
  dds_waitset_attach(ws, dds_create_readcondition(rai, DDS_ANY_STATE), 2);
  /* "ready" only once all four endpoints have matched ours: a sample sent before the far end knows its
     writer would be lost to a volatile reader. */
  dds_time_t matching = dds_time() + DDS_SECS(20);
  for (;;) {
    dds_subscription_matched_status_t a = {0}, b = {0}; dds_publication_matched_status_t c = {0}, d = {0};
    dds_get_subscription_matched_status(rjs, &a); dds_get_subscription_matched_status(rai, &b);
    dds_get_publication_matched_status(wjs, &c); dds_get_publication_matched_status(wao, &d);
    if (a.current_count > 0 && b.current_count > 0 && c.current_count > 0 && d.current_count > 0) break;
    if (dds_time() > matching) { fprintf(stderr, "endpoints did not match\n"); return 4; }
    dds_sleepfor(DDS_MSECS(10));
  }
  printf("ready\n"); fflush(stdout);
  int seen = 0;
  dds_time_t deadline = dds_time() + DDS_SECS(30);
  while (seen < wanted && dds_time() < deadline) {
    dds_waitset_wait(ws, NULL, 0, DDS_MSECS(200));
    void *buf[1] = { NULL }; dds_sample_info_t si[1];
    while (dds_take(rjs, buf, si, 1, 1) > 0) {
      if (si[0].valid_data) {
        sensor_msgs_msg_dds__JointState_ *m = buf[0];
        printf("JointState frame=%s sec=%d names=%u", m->header.frame_id, m->header.stamp.sec, m->name._length);
        for (uint32_t i = 0; i < m->name._length && i < 3; i++) printf(" %s=%g", m->name._buffer[i], m->position._buffer[i]);
        printf("\n"); fflush(stdout);
        for (uint32_t i = 0; i < m->position._length; i++) m->position._buffer[i] *= 2;
        dds_write(wjs, m);
        seen++;
      }
      dds_return_loan(rjs, buf, 1); buf[0] = NULL;
    }
    while (dds_take(rai, buf, si, 1, 1) > 0) {
      if (si[0].valid_data) {
        std_msgs_msg_dds__Float64MultiArray_ *m = buf[0];
        printf("Float64MultiArray dims=%u", m->layout.dim._length);
        if (m->layout.dim._length > 0) printf(" label=%s size=%u", m->layout.dim._buffer[0].label, m->layout.dim._buffer[0].size);
        printf(" n=%u\n", m->data._length); fflush(stdout);
        for (uint32_t i = 0; i < m->data._length; i++) m->data._buffer[i] *= 2;
        dds_write(wao, m);
        seen++;
      }
      dds_return_loan(rai, buf, 1); buf[0] = NULL;
    }
  }
  dds_wait_for_acks(wjs, DDS_SECS(10)); dds_wait_for_acks(wao, DDS_SECS(10));
  dds_delete(pp);
  return seen >= wanted ? 0 : 3;
}
