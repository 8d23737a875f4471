//! Where the value goes instead, in one sentence per kind of file: the language's environment,
//! the CI system's secret store, the deployment format's secret reference.

use super::idioms::{camel, kebab, unit_name};
use super::language::{CiSystem, DeployFormat, Language};

/// The advice for a file of `language` at `path` whose secret moves to `var`.
pub(super) fn advice(language: Language, var: &str, path: &str) -> String {
    let lower = var.to_ascii_lowercase();
    let name = kebab(var);
    match language {
        Language::GithubActions => format!(
            "add {var} as an encrypted secret (repository Settings > Secrets and variables > Actions) and refer to it as ${{{{ secrets.{var} }}}}"
        ),
        Language::Ci(ci) => ci_advice(ci, var, &lower, &name),
        Language::Deploy(format) => deploy_advice(format, var, &name, path),
        Language::DotEnv => format!(
            "a .env file holds real values and must not be committed: run `git rm --cached {path}`, add it to .gitignore, and commit a .env.example with placeholders instead"
        ),
        Language::Markdown => format!(
            "documentation shows a placeholder such as <{var}>; the reader sets {var} in their own environment"
        ),
        Language::Config if path.ends_with("gradle.properties") || path.ends_with("local.properties") => format!(
            "keep it out of the project: put it in ~/.gradle/gradle.properties (your home, not the repository) or the environment as ORG_GRADLE_PROJECT_{var}, and never copy it into BuildConfig or resources of an app that ships"
        ),
        Language::Json | Language::Yaml | Language::Config | Language::Other | Language::Html => format!(
            "this file cannot read the environment: have the program that loads it take {var} from the environment (or a secret manager) and leave the value out of the file"
        ),
        Language::Kubernetes => format!(
            "keep {var} in a Secret (kubectl create secret generic app-secrets --from-literal={name}=..., or External Secrets from your secret manager) and reference it with secretKeyRef"
        ),
        Language::Dockerfile => format!(
            "never bake a key into an image with ENV or ARG: pass {var} at run time (docker run -e {var}) or use a build secret (RUN --mount=type=secret,id={lower})"
        ),
        Language::Terraform => format!(
            "declare variable \"{lower}\" {{ sensitive = true }} and set it with TF_VAR_{lower} in the environment"
        ),
        Language::DockerCompose => format!(
            "compose reads ${{{var}}} from your shell or from a .env file beside it that git ignores; for a file mounted into the container instead, declare it under secrets: ({lower}: {{environment: {var}}}) and read /run/secrets/{lower}"
        ),
        Language::Python | Language::Notebook => format!(
            "put {var}=... in your shell or in a .env file that git ignores (and `import os` if the file does not yet)"
        ),
        Language::Elixir if path.contains("config/") && !path.ends_with("runtime.exs") => format!(
            "config files other than config/runtime.exs are evaluated at compile time and baked into the release: move this line to config/runtime.exs, and put {var}=... in your shell or in a .env file that git ignores"
        ),
        Language::Haskell => format!(
            "getEnv is an IO action (import System.Environment): bind it where the program starts (key <- getEnv \"{var}\") and pass the value down; put {var}=... in your shell or in a .env file that git ignores"
        ),
        _ => format!("put {var}=... in your shell or in a .env file that git ignores"),
    }
}

fn ci_advice(ci: CiSystem, var: &str, lower: &str, name: &str) -> String {
    match ci {
        CiSystem::GitLab => format!(
            "add {var} as a CI/CD variable (project Settings > CI/CD > Variables, with Masked and Protected checked): GitLab gives it to every job as ${var}, so the value leaves .gitlab-ci.yml"
        ),
        CiSystem::CircleCi => format!(
            "add {var} in Project Settings > Environment Variables (or an organization Context attached to the job): CircleCI gives it to every step as ${var}, so leave it out of config.yml"
        ),
        CiSystem::Jenkins => format!(
            "store it as a \"Secret text\" credential (Manage Jenkins > Credentials, ID {name}) and bind it: environment {{ {var} = credentials('{name}') }}, or withCredentials([string(credentialsId: '{name}', variable: '{var}')]) {{ … }}; shell steps then read $ {var} inside single quotes so Groovy never interpolates it"
        ).replace("$ ", "$"),
        CiSystem::AzurePipelines => format!(
            "add {var} as a secret variable (the pipeline's Variables > \"Keep this value secret\", or a variable group linked to Azure Key Vault); secrets reach scripts only when mapped: env: {{ {var}: $({var}) }}"
        ),
        CiSystem::Bitbucket => format!(
            "add {var} as a secured variable (Repository settings > Pipelines > Repository variables, Secured): steps read it as ${var}"
        ),
        CiSystem::Drone => format!(
            "add it as a repository secret (drone secret add --repository <owner/repo> --name {lower} --data <value>, or Settings > Secrets) and reference it with environment: {{ {var}: {{ from_secret: {lower} }} }}; commands read $${var}"
        ),
        CiSystem::Woodpecker => format!(
            "add it as a repository secret (woodpecker-cli repo secret add --repository <owner/repo> --name {lower} --value <value>, or Settings > Secrets) and reference it with environment: {{ {var}: {{ from_secret: {lower} }} }}; commands read $${var}"
        ),
        CiSystem::Buildkite => format!(
            "store it in Buildkite Secrets (cluster Settings > Secrets, key {var}) and give it to the step with secrets: [{var}] (or buildkite-agent secret get {var} in a hook); commands read $${var}, the $$ keeping it from being interpolated at upload"
        ),
        CiSystem::CloudBuild => format!(
            "keep it in Secret Manager (gcloud secrets create {name} --data-file=-) and expose it: availableSecrets: {{secretManager: [{{versionName: projects/$PROJECT_ID/secrets/{name}/versions/latest, env: {var}}}]}}, with secretEnv: ['{var}'] on the step; its bash -c script reads $${var}"
        ),
        CiSystem::Travis => format!(
            "add {var} in the repository's Settings > Environment Variables (display value off), or encrypt it (travis encrypt {var}=<value> --add env.global); scripts read ${var}"
        ),
        CiSystem::CodeBuild => format!(
            "keep it in AWS Secrets Manager or Parameter Store and map it in the buildspec: env: {{ secrets-manager: {{ {var}: {name}:{var} }} }} (or parameter-store: {{ {var}: /{name} }}); commands read ${var}"
        ),
    }
}

fn deploy_advice(format: DeployFormat, var: &str, name: &str, path: &str) -> String {
    let param = camel(var);
    match format {
        DeployFormat::CloudFormation => format!(
            "keep the value in AWS Secrets Manager (aws secretsmanager create-secret --name {name} --secret-string <value>) and let CloudFormation resolve it at deploy time with '{{{{resolve:secretsmanager:{name}}}}}' (or a NoEcho parameter; ssm-secure for the properties that accept it)"
        ),
        DeployFormat::Serverless => format!(
            "keep the value in SSM Parameter Store (aws ssm put-parameter --name /{name} --type SecureString --value <value>) and reference it as ${{ssm:/{name}}}, which the Serverless Framework resolves and decrypts at deploy"
        ),
        DeployFormat::HelmValues => format!(
            "keep the value out of values files: create the Secret (kubectl create secret generic app-secrets --from-literal={name}=<value>, or External Secrets), set existingSecret: app-secrets, and have the template read it with valueFrom.secretKeyRef {{name: {{{{ .Values.existingSecret }}}}, key: {name}}}"
        ),
        DeployFormat::Ansible => format!(
            "read it on the control node with lookup('env', '{var}'), or keep it encrypted in the repository with ansible-vault (ansible-vault encrypt_string --name {} '<value>')",
            var.to_ascii_lowercase()
        ),
        DeployFormat::Pulumi => format!(
            "store it as an encrypted secret: pulumi config set --secret <key> (it prompts for the value and writes `secure: v1:…` in place of this line); code reads it with config.requireSecret(\"<key>\"), and {var} stays out of plain config"
        ),
        DeployFormat::Bicep => format!(
            "declare it as @secure() param {param} string with no default and pass it from Key Vault: in the .bicepparam file, param {param} = az.getSecret('<subscription-id>', '<resource-group>', '<vault>', '{name}')"
        ),
        DeployFormat::Arm => format!(
            "make it a securestring parameter ({param}) and pass it from Key Vault in the parameters file: \"{param}\": {{\"reference\": {{\"keyVault\": {{\"id\": \"<vault resource id>\"}}, \"secretName\": \"{name}\"}}}}"
        ),
        DeployFormat::Systemd => {
            let unit = unit_name(path);
            format!(
                "keep the value in a root-only file outside the repository (/etc/{unit}/secrets.env, mode 600, holding {var}=<value>) loaded with EnvironmentFile=, or pass it as a credential: LoadCredential={lower}:/etc/credstore/{lower}, read from $CREDENTIALS_DIRECTORY/{lower}",
                lower = var.to_ascii_lowercase()
            )
        }
        DeployFormat::Vercel => format!(
            "delete it from vercel.json and store it as a sensitive environment variable: vercel env add {var} production (or Project Settings > Environment Variables); server code reads process.env.{var}"
        ),
        DeployFormat::Netlify => format!(
            "delete it from netlify.toml and set it as a secret environment variable: netlify env:set {var} <value> --secret (or Site configuration > Environment variables); functions read process.env.{var}"
        ),
        DeployFormat::Fly => format!(
            "delete it from fly.toml's [env] and store it as a Fly secret: fly secrets set {var}=<value>; the app reads {var} from its environment"
        ),
        DeployFormat::Render => format!(
            "declare {var} with sync: false in render.yaml and enter the value in the Render dashboard (Environment), so it never sits in the repository"
        ),
        DeployFormat::Heroku => format!(
            "declare {var} in app.json as {{\"required\": true}} with no value and set it with heroku config:set {var}=<value>"
        ),
    }
}
