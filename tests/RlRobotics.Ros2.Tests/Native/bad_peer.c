/* Publishes N samples on rt/cross/joint_states_in whose bytes are not a sensor_msgs/JointState.
   Prints "matched" once a reader matched, then waits for a line on stdin (the test sends it once its
   reader has matched this writer too), so no sample goes out before both ends know each other. */
#include <stdio.h>
#include <stdlib.h>
#include "dds/dds.h"
#include "bad_joint_state.h"
static const char *config =
  "<CycloneDDS><Domain id=\"any\"><General><Interfaces><NetworkInterface name=\"lo\"/></Interfaces>"
  "<AllowMulticast>false</AllowMulticast></General><Discovery><ParticipantIndex>auto</ParticipantIndex>"
  "<MaxAutoParticipantIndex>32</MaxAutoParticipantIndex><Peers><Peer address=\"localhost\"/></Peers></Discovery>"
  "</Domain></CycloneDDS>";
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  uint32_t domain = (uint32_t)atoi(argv[1]); int n = atoi(argv[2]);
  dds_create_domain(domain, config);
  dds_entity_t pp = dds_create_participant(domain, NULL, NULL);
  dds_entity_t tp = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, "rt/cross/joint_states_in", NULL, NULL);
  dds_qos_t *qos = dds_create_qos();
  dds_qset_reliability(qos, DDS_RELIABILITY_RELIABLE, DDS_INFINITY);
  dds_qset_history(qos, DDS_HISTORY_KEEP_ALL, 0);
  dds_entity_t wr = dds_create_writer(pp, tp, qos, NULL);
  dds_publication_matched_status_t st = {0};
  dds_time_t deadline = dds_time() + DDS_SECS(20);
  while (st.current_count == 0 && dds_time() < deadline) { dds_sleepfor(DDS_MSECS(10)); dds_get_publication_matched_status(wr, &st); }
  printf("matched\n"); fflush(stdout);
  char line[16];
  if (fgets(line, sizeof line, stdin) == NULL) return 3;
  for (int i = 0; i < n; i++) { sensor_msgs_msg_dds__JointState_ m = { .not_a_header = 7u + (uint32_t)i }; dds_write(wr, &m); }
  dds_wait_for_acks(wr, DDS_SECS(10));
  printf("sent %d\n", n);
  dds_delete(pp);
  return 0;
}
