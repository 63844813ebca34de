// Creates (or updates) SCRAM-SHA-512 users on a running broker with Kafka's own Admin client:
// kafkajs has no AlterUserScramCredentials, and the broker jars hold no kafka-configs tool.
// Run by scram-users.ts with Java's source launcher: `java -cp '<libs>/*' AddScramUsers.java`.
// Reads from standard input (so no password shows on a command line): the bootstrap address,
// the admin's name and password, then one `name password` line per user.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

public class AddScramUsers {
  private static String quoted(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    String bootstrap = in.readLine().trim();
    String[] admin = in.readLine().trim().split(" ", 2);
    List<UserScramCredentialAlteration> users = new ArrayList<>();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] user = line.trim().split(" ", 2);
      if (user.length == 2) {
        users.add(new UserScramCredentialUpsertion(
            user[0], new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), user[1]));
      }
    }
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("security.protocol", "SASL_PLAINTEXT");
    props.put("sasl.mechanism", "SCRAM-SHA-512");
    props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username="
        + quoted(admin[0]) + " password=" + quoted(admin[1]) + ";");
    try (Admin client = Admin.create(props)) {
      client.alterUserScramCredentials(users).all().get();
    }
    System.out.println("created " + users.size() + " SCRAM user(s)");
  }
}
