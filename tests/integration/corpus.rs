//! Recall and precision on a generated corpus: fake, format-valid secrets of about 100 kinds in
//! the file types people commit them in, and hard negatives that must stay silent. Written
//! independently of the rules' own examples. Every secret comes from a template and a seed, so
//! nothing here is a real key.
//!
//! Run `cargo test --test integration corpus -- --nocapture` to see the figures and each miss.

use keyward::source::AddedLines;
use keyward_detect::{Detector, Finding, Ruleset};

use crate::util::fake;

/// A kind of secret: a name, a template for the secret, and the variable name people give it.
struct Kind {
    name: &'static str,
    secret: &'static str,
    var: &'static str,
}

const fn kind(name: &'static str, secret: &'static str, var: &'static str) -> Kind {
    Kind { name, secret, var }
}

/// One line per secret, in the file types people commit: `{S}` is the secret, `{V}` the name.
const CONTEXTS: &[(&str, &str)] = &[
    ("settings.py", "{V} = \"{S}\""),
    ("src/client.ts", "const {v} = '{S}';"),
    ("config/app.yaml", "  {v}: {S}"),
    ("config.json", "  \"{v}\": \"{S}\","),
    (".env", "{V}={S}"),
    ("deploy.sh", "export {V}=\"{S}\""),
    ("main.go", "\t{v} := \"{S}\""),
    ("analysis.ipynb", "    \"{v} = \\\"{S}\\\"\\n\","),
    ("infra/main.tf", "  {v} = \"{S}\""),
    ("Dockerfile", "ENV {V}={S}"),
    (
        "src/Config.java",
        "    private static final String {V} = \"{S}\";",
    ),
    (
        "docs/setup.md",
        "    curl -H \"Authorization: Bearer {S}\" https://api.example.com",
    ),
];

const KINDS: &[Kind] = &[
    kind("openai legacy", "sk-{alnum:20}T3BlbkFJ{alnum:20}", "OPENAI_API_KEY"),
    kind("openai project", "sk-proj-{urlsafe:74}T3BlbkFJ{urlsafe:74}", "OPENAI_API_KEY"),
    kind("openai project short", "sk-proj-{urlsafe:58}T3BlbkFJ{urlsafe:58}", "OPENAI_API_KEY"),
    kind("openai service account", "sk-svcacct-{urlsafe:74}T3BlbkFJ{urlsafe:74}", "OPENAI_API_KEY"),
    kind("openai admin", "sk-admin-{urlsafe:58}T3BlbkFJ{urlsafe:58}", "OPENAI_ADMIN_KEY"),
    kind("anthropic api", "sk-ant-api03-{urlsafe:93}AA", "ANTHROPIC_API_KEY"),
    kind("anthropic admin", "sk-ant-admin01-{urlsafe:93}AA", "ANTHROPIC_ADMIN_KEY"),
    kind("google ai", "AIza{urlsafe:35}", "GEMINI_API_KEY"),
    kind("hugging face", "hf_{alnum:34}", "HF_TOKEN"),
    kind("groq", "gsk_{alnum:52}", "GROQ_API_KEY"),
    kind("replicate", "r8_{alnum:37}", "REPLICATE_API_TOKEN"),
    kind("cohere", "{alnum:40}", "COHERE_API_KEY"),
    kind("mistral", "{alnum:32}", "MISTRAL_API_KEY"),
    kind("perplexity", "pplx-{alnum:48}", "PERPLEXITY_API_KEY"),
    kind("xai", "xai-{alnum:80}", "XAI_API_KEY"),
    kind("deepseek", "sk-{hex:32}", "DEEPSEEK_API_KEY"),
    kind("openrouter", "sk-or-v1-{hex:64}", "OPENROUTER_API_KEY"),
    kind("together", "{hex:64}", "TOGETHER_API_KEY"),
    kind("fireworks", "fw_{alnum:24}", "FIREWORKS_API_KEY"),
    kind("langsmith", "lsv2_pt_{hex:32}_{hex:10}", "LANGSMITH_API_KEY"),
    kind("pinecone", "pcsk_{alnum:5}_{alnum:63}", "PINECONE_API_KEY"),
    kind("nvidia", "nvapi-{urlsafe:64}", "NVIDIA_API_KEY"),
    kind("azure openai", "{hex:32}", "AZURE_OPENAI_API_KEY"),
    kind("aws access key id", "AKIA{base32:16}", "AWS_ACCESS_KEY_ID"),
    kind("aws secret access key", "{base64:40}", "AWS_SECRET_ACCESS_KEY"),
    kind("azure devops", "{lower:52}", "AZURE_DEVOPS_PAT"),
    kind("digitalocean", "dop_v1_{hex:64}", "DIGITALOCEAN_TOKEN"),
    kind("heroku", "{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}", "HEROKU_API_KEY"),
    kind("cloudflare", "{urlsafe:40}", "CLOUDFLARE_API_TOKEN"),
    kind("supabase pat", "sbp_{hex:40}", "SUPABASE_ACCESS_TOKEN"),
    kind("supabase service role", "{jwt}", "SUPABASE_SERVICE_ROLE_KEY"),
    kind("vercel", "{alnum:24}", "VERCEL_TOKEN"),
    kind("netlify", "nfp_{alnum:36}", "NETLIFY_AUTH_TOKEN"),
    kind("fly", "fo1_{urlsafe:43}", "FLY_API_TOKEN"),
    kind("doppler", "dp.st.prd.{alnum:43}", "DOPPLER_TOKEN"),
    kind("vault", "hvs.{urlsafe:90}", "VAULT_TOKEN"),
    kind("github classic", "ghp_{alnum:30}{crc32-base62}", "GITHUB_TOKEN"),
    kind("github oauth", "gho_{alnum:30}{crc32-base62}", "GITHUB_TOKEN"),
    kind("github user-to-server", "ghu_{alnum:30}{crc32-base62}", "GITHUB_TOKEN"),
    kind("github server-to-server", "ghs_{alnum:30}{crc32-base62}", "GITHUB_TOKEN"),
    kind("github refresh", "ghr_{alnum:30}{crc32-base62}", "GITHUB_REFRESH_TOKEN"),
    kind("github fine-grained", "github_pat_{alnum:22}_{alnum:59}", "GITHUB_TOKEN"),
    kind("gitlab", "glpat-{urlsafe:20}", "GITLAB_TOKEN"),
    kind("bitbucket", "ATBB{alnum:32}{HEX:8}", "BITBUCKET_APP_PASSWORD"),
    kind("npm", "npm_{alnum:30}{crc32-base62}", "NPM_TOKEN"),
    kind("pypi", "pypi-AgEIcHlwaS5vcmc{urlsafe:70}", "PYPI_TOKEN"),
    kind("docker hub", "dckr_pat_{urlsafe:27}", "DOCKERHUB_TOKEN"),
    kind("nuget", "oy2{lower:43}", "NUGET_API_KEY"),
    kind("rubygems", "rubygems_{hex:48}", "GEM_HOST_API_KEY"),
    kind("crates.io", "cio{alnum:32}", "CARGO_REGISTRY_TOKEN"),
    kind("stripe live", "sk_live_{alnum:99}", "STRIPE_SECRET_KEY"),
    kind("stripe restricted", "rk_live_{alnum:24}", "STRIPE_RESTRICTED_KEY"),
    kind("stripe test", "sk_test_{alnum:24}", "STRIPE_SECRET_KEY"),
    kind("stripe webhook", "whsec_{alnum:32}", "STRIPE_WEBHOOK_SECRET"),
    kind("braintree", "access_token$production${lower:16}${hex:32}", "BRAINTREE_ACCESS_TOKEN"),
    kind("square", "EAAA{urlsafe:60}", "SQUARE_ACCESS_TOKEN"),
    kind("square secret", "sq0csp-{urlsafe:43}", "SQUARE_APPLICATION_SECRET"),
    kind("paypal", "E{urlsafe:79}", "PAYPAL_CLIENT_SECRET"),
    kind("twilio", "{hex:32}", "TWILIO_AUTH_TOKEN"),
    kind("sendgrid", "SG.{urlsafe:22}.{urlsafe:43}", "SENDGRID_API_KEY"),
    kind("mailgun", "key-{hex:32}", "MAILGUN_API_KEY"),
    kind("mailchimp", "{hex:32}-us14", "MAILCHIMP_API_KEY"),
    kind("slack bot", "xoxb-{digit:12}-{digit:13}-{alnum:24}", "SLACK_BOT_TOKEN"),
    kind("slack user", "xoxp-{digit:12}-{digit:12}-{digit:13}-{hex:32}", "SLACK_USER_TOKEN"),
    kind("slack webhook", "https://hooks.slack.com/services/T{upper:8}/B{upper:10}/{alnum:24}", "SLACK_WEBHOOK_URL"),
    kind("discord bot", "M{alnum:25}.{urlsafe:6}.{urlsafe:38}", "DISCORD_BOT_TOKEN"),
    kind("discord webhook", "https://discord.com/api/webhooks/{digit:19}/{urlsafe:68}", "DISCORD_WEBHOOK_URL"),
    kind("telegram", "{digit:10}:AA{urlsafe:33}", "TELEGRAM_BOT_TOKEN"),
    kind("shopify", "shpat_{hex:32}", "SHOPIFY_ACCESS_TOKEN"),
    kind("atlassian", "ATATT3xFfGF0{urlsafe:183}", "JIRA_API_TOKEN"),
    kind("linear", "lin_api_{alnum:40}", "LINEAR_API_KEY"),
    kind("notion", "ntn_{digit:11}{alnum:35}", "NOTION_TOKEN"),
    kind("datadog", "{hex:32}", "DD_API_KEY"),
    kind("sentry", "sntryu_{hex:64}", "SENTRY_AUTH_TOKEN"),
    kind("new relic", "NRAK-{upper:27}", "NEW_RELIC_API_KEY"),
    kind("grafana", "glsa_{alnum:32}_{hex:8}", "GRAFANA_TOKEN"),
    kind("postgres url", "postgresql://app:{alnum:20}@db.acme.internal:5432/app", "DATABASE_URL"),
    kind("mongodb url", "mongodb+srv://svc:{alnum:18}@cluster0.x1y2z.mongodb.net/prod", "MONGODB_URI"),
    kind("redis url", "rediss://default:{alnum:32}@cache.acme.io:6380", "REDIS_URL"),
    kind("amqp url", "amqps://worker:{alnum:16}@mq.acme.io/prod", "AMQP_URL"),
    kind("mysql url", "mysql://shop:{urlsafe:20}@10.0.0.5:3306/shop", "MYSQL_URL"),
    kind("basic auth url", "https://ci:{alnum:22}@nexus.acme.io/repository/pypi/simple", "PIP_INDEX_URL"),
    kind("generic password", "{alnum:20}", "SMTP_PASSWORD"),
    kind("generic api key", "{urlsafe:32}", "INTERNAL_API_KEY"),
    kind("generic client secret", "{alnum:40}", "OAUTH_CLIENT_SECRET"),
    kind("jwt", "{jwt}", "SERVICE_JWT"),
    kind("mapbox secret", "sk.eyJ{urlsafe:60}.{urlsafe:22}", "MAPBOX_SECRET_TOKEN"),
    kind("postman", "PMAK-{hex:24}-{hex:34}", "POSTMAN_API_KEY"),
    kind("figma", "figd_{urlsafe:40}", "FIGMA_TOKEN"),
    kind("databricks", "dapi{hex:32}", "DATABRICKS_TOKEN"),
    kind("planetscale", "pscale_pw_{urlsafe:43}", "PLANETSCALE_PASSWORD"),
    kind("resend", "re_{alnum:8}_{alnum:24}", "RESEND_API_KEY"),
    kind("brevo", "xkeysib-{hex:64}-{alnum:16}", "BREVO_API_KEY"),
    kind("sonar", "squ_{hex:40}", "SONAR_TOKEN"),
    kind("contentful", "CFPAT-{urlsafe:43}", "CONTENTFUL_MANAGEMENT_TOKEN"),
    kind("elevenlabs", "sk_{hex:48}", "ELEVENLABS_API_KEY"),
    kind("tavily", "tvly-{alnum:32}", "TAVILY_API_KEY"),
    kind("stability", "sk-{alnum:48}", "STABILITY_API_KEY"),
    kind("azure ad client secret", "{alnum:3}8Q~{urlsafe:34}", "AZURE_CLIENT_SECRET"),
    kind("google oauth client secret", "GOCSPX-{urlsafe:28}", "GOOGLE_CLIENT_SECRET"),
    kind("google refresh token", "1//0{urlsafe:60}", "GOOGLE_REFRESH_TOKEN"),
    kind("fcm server key", "AAAA{urlsafe:7}:APA91b{urlsafe:134}", "FCM_SERVER_KEY"),
    kind("twitter bearer", "AAAAAAAAAAAAAAAAAAAAA{alnum:80}", "TWITTER_BEARER_TOKEN"),
    kind("hubspot", "pat-na1-{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}", "HUBSPOT_ACCESS_TOKEN"),
    kind("okta", "00{urlsafe:40}", "OKTA_API_TOKEN"),
    kind("algolia admin", "{hex:32}", "ALGOLIA_ADMIN_API_KEY"),
    kind("linode", "{hex:64}", "LINODE_TOKEN"),
    kind("wandb", "{hex:40}", "WANDB_API_KEY"),
    kind("teams webhook", "https://acme.webhook.office.com/webhookb2/{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}@{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}/IncomingWebhook/{hex:32}/{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}", "TEAMS_WEBHOOK_URL"),
    kind("pulumi", "pul-{hex:40}", "PULUMI_ACCESS_TOKEN"),
    kind("url query key", "https://api.weather.io/v1/forecast?city=oslo&api_key={alnum:32}", "WEATHER_URL"),
    kind("twilio api key", "SK{hex:32}", "TWILIO_API_KEY"),
];

/// Secrets that span lines or need their surroundings: (path, file text).
fn structured(seed: u64) -> Vec<(String, String, String)> {
    let b64 = |n: usize, s: u64| fake(&format!("{{base64:{n}}}"), s);
    let rsa = format!(
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA{}\n{}\n{}\n-----END RSA PRIVATE KEY-----\n",
        b64(48, seed),
        b64(64, seed + 1),
        b64(44, seed + 2)
    );
    let openssh = format!(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ{}\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
        b64(40, seed + 3),
        b64(70, seed + 4)
    );
    let gcp_key = format!(
        "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC{}\\n{}\\n-----END PRIVATE KEY-----\\n",
        b64(32, seed + 5),
        b64(64, seed + 6)
    );
    let gcp = format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"acme-prod\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"{gcp_key}\",\n  \"client_email\": \"ci@acme-prod.iam.gserviceaccount.com\"\n}}\n",
        fake("{hex:40}", seed)
    );
    let aws_id = fake("AKIA{base32:16}", seed + 7);
    let aws_secret = fake("{base64:40}", seed + 8);
    let aws_pair = format!("[default]\nregion = eu-west-1\nkey = {aws_id}\nvalue = {aws_secret}\n");
    let k8s_value = fake("{b64-alnum:32}", seed + 9);
    let k8s = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: payments\ntype: Opaque\ndata:\n  username: cGF5bWVudHM=\n  api-token: {k8s_value}\n"
    );
    let netrc_value = fake("{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}", seed + 10);
    let netrc = format!("machine api.heroku.com\n  login dev@acme.io\n  password {netrc_value}\n");
    let next_value = fake("{alnum:32}", seed + 11);
    let next = format!("NEXT_PUBLIC_STRIPE_SECRET={next_value}\n");
    let url_key = fake("AIza{urlsafe:35}", seed + 12);
    let url =
        format!("fetch(`https://generativelanguage.googleapis.com/v1beta/models?key={url_key}`)\n");
    let ec = format!(
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI{}\n{}\n-----END EC PRIVATE KEY-----\n",
        b64(55, seed + 13),
        b64(64, seed + 14)
    );
    let age = fake("AGE-SECRET-KEY-1{bech32:58}", seed + 15);
    vec![
        ("deploy/id_rsa".into(), rsa.clone(), rsa.trim_end().into()),
        (
            "keys/id_ed25519".into(),
            openssh.clone(),
            openssh.trim_end().into(),
        ),
        ("keys/ec.pem".into(), ec.clone(), ec.trim_end().into()),
        ("gcp/sa.json".into(), gcp, gcp_key),
        ("aws/credentials".into(), aws_pair, aws_secret),
        ("k8s/secret.yaml".into(), k8s, k8s_value),
        (".netrc".into(), netrc, netrc_value),
        ("web/.env.local".into(), next, next_value),
        ("web/api.js".into(), url, url_key),
        (
            "keys.txt".into(),
            format!("# created: 2026-01-01\n{age}\n"),
            age,
        ),
    ]
}

/// Lines that must produce no finding, with the file they sit in.
const NEGATIVES: &[(&str, &str)] = &[
    (".env.example", "OPENAI_API_KEY=sk-..."),
    (".env.example", "OPENAI_API_KEY=sk-proj-REPLACE_ME"),
    (".env.example", "STRIPE_SECRET_KEY=sk_live_your_key_here"),
    (".env.example", "DATABASE_URL=postgres://user:password@localhost:5432/app"),
    (".env.example", "SESSION_SECRET=change-me-to-a-long-random-string"),
    ("app.py", "client = OpenAI(api_key=\"<YOUR_API_KEY>\")"),
    ("app.py", "client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])"),
    ("app.py", "api_key = os.getenv(\"ANTHROPIC_API_KEY\")"),
    ("app.py", "SECRET_KEY = os.environ.get(\"DJANGO_SECRET_KEY\", \"\")"),
    ("app.py", "api_key = settings.OPENAI_API_KEY"),
    ("app.py", "token = None"),
    ("app.py", "password = getpass.getpass(\"Password: \")"),
    ("app.py", "OPENAI_RE = re.compile(r\"sk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\")"),
    ("app.py", "GITHUB_PAT = re.compile(r\"ghp_[A-Za-z0-9]{36}\")"),
    ("app.py", "AWS_KEY_PATTERN = \"AKIA[0-9A-Z]{16}\""),
    ("app.py", "aws_access_key_id = \"AKIAIOSFODNN7EXAMPLE\""),
    ("app.py", "aws_secret_access_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\""),
    ("app.py", "commit = \"a94a8fe5ccb19ba61c4c0873d391e987982fbbd3\""),
    ("app.py", "request_id = \"123e4567-e89b-12d3-a456-426614174000\""),
    ("app.py", "token_id = \"9f8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\""),
    ("app.py", "digest = hashlib.sha256(data).hexdigest()  # e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("app.py", "password_reset_token_expiry_seconds = 3600"),
    ("app.py", "token_type = \"Bearer\""),
    ("app.py", "AUTH_HEADER = \"Authorization\""),
    ("app.py", "TOKEN_URL = \"https://oauth2.googleapis.com/token\""),
    ("app.py", "private_key_path = \"/etc/ssl/private/server.key\""),
    ("app.py", "secret_name = \"prod/payments/stripe\""),
    ("app.py", "password = \"\""),
    ("app.py", "password = \"********\""),
    ("app.py", "api_key = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""),
    ("app.py", "GITHUB_TOKEN = \"ghp_EXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE1\""),
    ("app.py", "token = \"ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A\"  # checksum does not match"),
    ("app.py", "stripe.api_key = \"sk_test_4eC39HqLyjWDarjtT1zdp7dc\""),
    ("app.py", "token = \"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0.\""),
    ("app.py", "jwt = \"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.\""),
    ("app.py", "twilio_account_sid = \"AC5ef8732a3c49700934481addd5ce1659\""),
    ("app.py", "encoded = \"SGVsbG8sIFdvcmxkISBUaGlzIGlzIGp1c3QgdGV4dC4=\""),
    ("app.py", "get_user_authentication_token_from_session_storage()"),
    ("src/app.ts", "const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });"),
    ("src/app.ts", "const stripe = Stripe(\"pk_live_51H8xYzAbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQr\");"),
    ("src/app.ts", "const stripe = loadStripe(\"pk_test_TYooMQauvdEDq54NiTphI7jx\");"),
    ("src/app.ts", "const apiKey = import.meta.env.VITE_PUBLIC_MAPS_KEY;"),
    ("src/app.ts", "const tokenStorageKey = 'authenticationTokenStorageKey';"),
    ("src/app.ts", "headers: { 'Access-Control-Allow-Credentials': 'Access-Control-Allow-Headers' },"),
    ("src/app.ts", "const getAccessToken = async () => session?.accessToken ?? null;"),
    ("src/app.ts", "mapboxgl.accessToken = 'pk.eyJ1IjoiYWNtZSIsImEiOiJja2xtbm9wcXJzdHV2In0.aBcDeFgHiJkLmNoPqRsTuV';"),
    ("src/app.ts", "const password = form.elements.namedItem('password').value;"),
    ("styles.css", "  color: #ff00aa; background: #0d1117;"),
    ("styles.css", "  background: url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==);"),
    ("main.go", "\tapiKey := os.Getenv(\"OPENAI_API_KEY\")"),
    ("main.rs", "    let key = std::env::var(\"OPENAI_API_KEY\")?;"),
    ("App.java", "    String key = System.getenv(\"STRIPE_SECRET_KEY\");"),
    ("app.rb", "  config.api_key = ENV.fetch(\"SENDGRID_API_KEY\")"),
    ("index.php", "$key = getenv('MAILGUN_API_KEY');"),
    ("Program.cs", "var key = Environment.GetEnvironmentVariable(\"AZURE_OPENAI_API_KEY\");"),
    ("run.ps1", "$headers = @{ Authorization = \"Bearer $env:GITHUB_TOKEN\" }"),
    ("deploy.sh", "curl -H \"Authorization: Bearer $GITHUB_TOKEN\" https://api.github.com/user"),
    (".github/workflows/ci.yml", "          OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}"),
    ("docker-compose.yml", "      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD}"),
    ("k8s/deploy.yaml", "              secretKeyRef: { name: api, key: openai-api-key }"),
    ("ansible/vars.yml", "db_password: \"{{ vault_db_password }}\""),
    ("config/database.yml", "  password: <%= ENV[\"DATABASE_PASSWORD\"] %>"),
    ("config/app.yaml", "  api_key: !ENV ${API_KEY}"),
    ("config/app.yaml", "  password_policy: minimum_length_twelve"),
    ("config/app.yaml", "  token_endpoint: https://login.acme.io/oauth2/v2.0/token"),
    ("main.tf", "  password = var.db_password"),
    ("main.tf", "  secret_string = jsonencode({ api_key = var.api_key })"),
    ("README.md", "export OPENAI_API_KEY=\"sk-...\""),
    ("README.md", "Set `ANTHROPIC_API_KEY` to your key (it starts with `sk-ant-api03-`)."),
    ("README.md", "DATABASE_URL=postgres://postgres:postgres@localhost:5432/dev"),
    ("README.md", "Connect with `redis://localhost:6379/0` or `amqp://guest:guest@localhost:5672/`."),
    ("README.md", "git clone https://github.com/acme/app.git"),
    ("authorized_keys", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQC7vbqajDhA8TQvF5K1rRj0mWJ5oA9P1t8z2yQ0lq3X9d8eXkXJ3z5yLwTqvAq3aGm0uF8e5bQy7mR3kP2xZ1q6 dev@laptop"),
    ("authorized_keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGbM3f9rJ0t1K2QxY8s5f0wq9Zl4m7n6p5o4i3u2y1t0 dev@laptop"),
    ("keys/public.pem", "-----BEGIN PUBLIC KEY-----"),
    ("keys/public.pem", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0"),
    ("keys/public.pem", "-----END PUBLIC KEY-----"),
    ("package-lock.json", "      \"integrity\": \"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXGOlsUU3O6k3k0LN1DiT5OkY1rw==\","),
    ("package-lock.json", "      \"resolved\": \"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz\","),
    ("yarn.lock", "  integrity sha512-WFN4ZAx1C2TX7q7XNVA3HrKAJ5PJ7NBOMn6M+B1Fqmzs2U4U6DkLEiFP2JVaiXqKMjU8dvgADl1r41tYyPkkNA=="),
    ("Cargo.lock", "checksum = \"9c8d8d2bbc3d1c8a1ec8dfa7b3e9f0a7b1c5d6e2f3a4b5c6d7e8f9a0b1c2d3e4\""),
    ("go.sum", "golang.org/x/crypto v0.21.0 h1:X31++rzVUdKhX5sWmSOFZxx8UW/ldWx55cbf08iNAMA="),
    ("go.sum", "golang.org/x/crypto v0.21.0/go.mod h1:0BP7YvVV9gBbVKyeTG0Gyn+gZm94bibOW5BjDEYAOMs="),
    ("poetry.lock", "content-hash = \"4b8c1f2a6d9e3b7f0c5a8d2e6f1b9c3a7d0e4f8b2c6a9d3e7f1b5c8a2d6e0f4b\""),
    ("test/data.json", "  \"sha256\": \"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\","),
    ("test/data.json", "  \"etag\": \"d41d8cd98f00b204e9800998ecf8427e\","),
    ("test/data.json", "  \"uuid\": \"f47ac10b-58cc-4372-a567-0e02b2c3d479\","),
    ("test/data.json", "  \"password\": \"\","),
    ("test/data.json", "  \"apiKey\": \"your-api-key-here\","),
    ("test/data.json", "  \"client_id\": \"1234567890-abcdefghijklmnop.apps.googleusercontent.com\","),
    ("notebook.ipynb", "    \"openai.api_key = os.environ[\\\"OPENAI_API_KEY\\\"]\\n\","),
    ("slack.py", "client = WebClient(token=\"xoxb-your-bot-token\")"),
    ("version.txt", "1.0.0-beta+exp.sha.5114f85"),
    ("web/.env.production", "NEXT_PUBLIC_SUPABASE_ANON_KEY=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiIsImlzcyI6InN1cGFiYXNlIn0.dGhpc2lzbm90YXJlYWxzaWduYXR1cmVfanVzdGFuZXhhbXBsZQ"),
    ("web/.env.production", "NEXT_PUBLIC_API_URL=https://api.acme.io"),
    ("web/.env.production", "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_live_51H8xYzAbCdEfGhIjKlMnOpQrStUv"),
    ("src/lib.rs", "    pub token: proc_macro2::TokenStream,"),
    ("src/lib.rs", "    let secret_len = secret.as_bytes().len();"),
    ("src/lib.rs", "const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);"),
    ("src/lib.rs", "    let task_runner_background_queue = disk_cache.flush();"),
    ("src/tasks.py", "queue = \"task-runner-for-the-background-queue-worker-process\""),
    ("src/tasks.py", "MAPBOX_STYLE = \"mapbox://styles/acme/ckxyz1234567890abcdef\""),
    ("src/tasks.py", "key_path = \"/home/app/.ssh/id_ed25519\""),
    ("src/tasks.py", "tokenizer = AutoTokenizer.from_pretrained(\"bert-base-uncased\")"),
    ("src/tasks.py", "OKTA_ISSUER = \"https://acme.okta.com/oauth2/default\""),
    ("src/tasks.py", "ALGOLIA_APP_ID = \"LATENCY\""),
    ("src/tasks.py", "render_token = render_template_string(template_source)"),
    ("src/tasks.py", "live_reload_enabled_for_development_server = True"),
    ("src/tasks.py", "sk_learn_model_path = \"models/classifier.pkl\""),
    ("src/tasks.py", "pk_column = \"id\""),
    ("src/tasks.py", "AUTH0_DOMAIN = \"acme.eu.auth0.com\""),
    ("src/tasks.py", "box_shadow_token = \"elevation-2-shadow-token\""),
    ("docs/api.md", "Authorization: Bearer <access_token>"),
    ("docs/api.md", "curl -H \"Authorization: Bearer ${TOKEN}\" https://api.acme.io"),
    ("src/app.ts", "const bearer = `Bearer ${session.accessToken}`;"),
    ("src/app.ts", "const sk = 'sk-proj-' + crypto.randomUUID();"),
    ("src/app.ts", "const url = `https://api.acme.io/v1/items?api_key=${apiKey}&page=${page}`;"),
    ("api/page.json", "  \"NextToken\": \"AAMA-EFRSURBSGhBZ3ZkR2FYdUxSVFBUWnZ0UWpvQ3pYWHB0eHJHOEFDQUFB\","),
    ("api/page.json", "  \"encryptionKey\": \"arn:aws:kms:us-west-2:123456789012:key/c9fe2447-0795-4fda-afbe-8464574ae162\","),
    ("api/page.json", "  \"PasswordLastUsed\": \"2016-09-08T21:47:36Z\","),
    ("lexer.py", "KEYWORDS = {'NSSecureCoding', 'ABPeoplePickerNavigationController', 'UIKeyCommand'}"),
    ("lexer.py", "COLORS = {Token.Prompt: '#ansibrightblue', Token.OutPrompt: '#ansibrightred'}"),
    ("src/app.ts", "fetch('https://example.com/search?key=value&token=refresh_token_placeholder')"),
];

fn fill(context: &str, var: &str, secret: &str) -> String {
    let lower = var.to_ascii_lowercase();
    context
        .replace("{V}", var)
        .replace("{v}", &lower)
        .replace("{S}", secret)
}

/// Whether a finding covers `secret` in `text`.
fn covers(findings: &[Finding], text: &str, secret: &str) -> bool {
    findings.iter().any(|f| {
        let found = String::from_utf8_lossy(f.secret.as_bytes());
        found.contains(secret) || (secret.contains(found.as_ref()) && found.len() >= 8)
    }) && text.contains(secret)
}

#[test]
fn recall_and_precision_on_a_generated_corpus() {
    let detector = Detector::new(Ruleset::builtin().unwrap(), Vec::new());
    let scan = |path: &str, text: &str| {
        detector
            .scan(path.as_bytes(), text.as_bytes(), &AddedLines::all())
            .unwrap()
    };
    let (mut positives, mut found, mut true_findings, mut false_findings) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    let mut noise = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        // Each kind in three of the contexts, rotating so every context is used.
        for c in 0..3 {
            let (path, context) = CONTEXTS[(k * 3 + c) % CONTEXTS.len()];
            let secret = fake(kind.secret, (k * 10 + c) as u64);
            let text = format!("# generated\n{}\n", fill(context, kind.var, &secret));
            let findings = scan(path, &text);
            positives += 1;
            if covers(&findings, &text, &secret) {
                found += 1;
            } else {
                misses.push(format!(
                    "{} in {path}: {}",
                    kind.name,
                    fill(context, kind.var, &secret)
                ));
            }
            for f in &findings {
                if String::from_utf8_lossy(f.secret.as_bytes()).contains(&secret)
                    || secret.contains(String::from_utf8_lossy(f.secret.as_bytes()).as_ref())
                {
                    true_findings += 1;
                } else {
                    false_findings += 1;
                    noise.push(format!("{} on positive {} in {path}", f.rule.id, kind.name));
                }
            }
        }
    }
    for seed in 0..3 {
        for (path, text, secret) in structured(100 + seed) {
            let findings = scan(&path, &text);
            positives += 1;
            if covers(&findings, &text, &secret) {
                found += 1;
                true_findings += 1;
            } else {
                misses.push(format!("structured {path}: {text}"));
            }
            // The access key ID beside the AWS secret is a secret of its own.
            let planted = |f: &&Finding| {
                let found = String::from_utf8_lossy(f.secret.as_bytes()).into_owned();
                found.contains(&secret)
                    || (f.rule.id.as_str() == "aws-access-key-id" && path == "aws/credentials")
            };
            for extra in findings.iter().filter(|f| !planted(f)) {
                false_findings += 1;
                noise.push(format!(
                    "{} on structured {path}: {:?}",
                    extra.rule.id, extra.secret
                ));
            }
            if !covers(&findings, &text, &secret) {
                false_findings += findings.len();
            }
        }
    }
    for (path, line) in NEGATIVES {
        for f in scan(path, &format!("{line}\n")) {
            false_findings += 1;
            noise.push(format!("{} on negative in {path}: {line}", f.rule.id));
        }
    }
    let recall = found as f64 / positives as f64;
    let precision = true_findings as f64 / (true_findings + false_findings).max(1) as f64;
    println!(
        "corpus: {positives} positives of {} kinds, {} hard negatives; recall {:.1}% ({found}/{positives}), precision {:.1}% ({true_findings} true, {false_findings} false findings)",
        KINDS.len() + 10,
        NEGATIVES.len(),
        recall * 100.0,
        precision * 100.0
    );
    for m in &misses {
        println!("  missed: {m}");
    }
    for n in &noise {
        println!("  noise:  {n}");
    }
    assert!(recall >= 0.97, "recall {recall:.3} below 97%");
    assert!(precision >= 0.99, "precision {precision:.3} below 99%");
}
