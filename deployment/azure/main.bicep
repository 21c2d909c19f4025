// Trustline on Azure: Container Apps (2+ replicas), Azure Bot (Web Chat / Direct Line with enhanced authentication,
// Teams), Azure Cache for Redis x2 (data, key store; TLS only), Key Vault with the master and purpose keys, a
// user-assigned managed identity that reads them and is the bot's identity.
// NOT COMPILED HERE: no Bicep compiler on the development machine. test/production/deployment.test.ts checks only
// structure (parameters used, resource API versions present, secrets never as outputs, TLS settings). Run
// `az bicep build -f deployment/azure/main.bicep` and `az deployment group what-if` before the first deployment.

@description('Name prefix for every resource.')
param name string = 'trustline'
param location string = resourceGroup().location
@description('Container image, e.g. myregistry.azurecr.io/trustline:0.1.0')
param image string
@description('Public host name of the bot (custom domain on the Container App).')
param publicHost string
@description('Origins of the pages that embed Web Chat (Direct Line trusted origins).')
param trustedOrigins array
@description('Entra tenant id of the managed identity (Azure Bot with UserAssignedMSI).')
param tenantId string = subscription().tenantId
@minValue(2)
param minReplicas int = 2
param maxReplicas int = 10

var botCommands = '+hello +auth +ping +quit +reset +get +getdel +set +del +exists +expire +pexpire +incr +hget +hset +hsetnx +hmget +hgetall +hdel +hexists +hincrby +sadd +srem +smembers +zadd +zrem +zrange +zrangebyscore +zremrangebyscore +zcard +zcount +xadd +xrange +xrevrange +xlen +xtrim +xdel +eval +evalsha +scan +multi +exec +discard +watch +unwatch +publish +subscribe +unsubscribe +cluster|slots +asking'
var keystoreCommands = '+hello +auth +ping +quit +reset +get +set +del +exists +scan +eval +evalsha +bgrewriteaof +cluster|slots +asking'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-id'
  location: location
}

resource logs 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: '${name}-logs'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: '${name}-kv'
  location: location
  properties: {
    tenantId: tenantId
    sku: { family: 'A', name: 'premium' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Disabled'
  }
}

// Key Vault Secrets User for the bot's identity. The secrets themselves (master keys, four purpose keys, Redis
// passwords, Direct Line secret, metrics token) are created by the operator (deployment/README.md), never here.
resource vaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, 'kv-secrets-user')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource redisData 'Microsoft.Cache/redis@2024-03-01' = {
  name: '${name}-redis-data'
  location: location
  properties: {
    sku: { name: 'Premium', family: 'P', capacity: 1 }
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Disabled'
    redisVersion: '6'
    redisConfiguration: {
      'aof-backup-enabled': 'true'
      'maxmemory-policy': 'noeviction'
    }
  }
}

resource redisKeys 'Microsoft.Cache/redis@2024-03-01' = {
  name: '${name}-redis-keys'
  location: location
  properties: {
    sku: { name: 'Premium', family: 'P', capacity: 1 }
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Disabled'
    redisVersion: '6'
    redisConfiguration: {
      'aof-backup-enabled': 'true'
      'maxmemory-policy': 'noeviction'
    }
  }
}

// Azure Cache's counterpart of the ACL files in deployment/redis: custom access policies with the same commands.
resource dataPolicy 'Microsoft.Cache/redis/accessPolicies@2024-03-01' = {
  parent: redisData
  name: 'trustline-bot'
  properties: {
    permissions: '-@all ${botCommands} ~tl:* &tl:*'
  }
}

resource keysPolicy 'Microsoft.Cache/redis/accessPolicies@2024-03-01' = {
  parent: redisKeys
  name: 'trustline-keys'
  properties: {
    permissions: '-@all ${keystoreCommands} ~tl:key:*'
  }
}

resource env 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${name}-env'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: '${name}-bot'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    managedEnvironmentId: env.id
    configuration: {
      ingress: {
        external: true
        targetPort: 3978
        transport: 'http'
        allowInsecure: false
      }
      // Secrets are Key Vault references resolved with the managed identity: no secret value in this template.
      secrets: [
        // Master and purpose keys are NOT references here: the bot reads them from the vault itself at start-up
        // (TRUSTLINE_KEY_PROVIDER=keyvault below), so a new master version needs a restart, not a new revision:
        // trustline-master-v1, -v2, ..., trustline-master-active, trustline-keyname-key, trustline-audit-key,
        // trustline-code-hash-key, trustline-pii-hash-key (deployment/README.md, "Master key rotation").
        { name: 'redis-password', keyVaultUrl: '${vault.properties.vaultUri}secrets/trustline-redis-password', identity: identity.id }
        { name: 'keystore-redis-password', keyVaultUrl: '${vault.properties.vaultUri}secrets/trustline-keystore-redis-password', identity: identity.id }
        { name: 'directline-secret', keyVaultUrl: '${vault.properties.vaultUri}secrets/trustline-directline-secret', identity: identity.id }
        { name: 'metrics-token', keyVaultUrl: '${vault.properties.vaultUri}secrets/trustline-metrics-token', identity: identity.id }
      ]
    }
    template: {
      containers: [
        {
          name: 'bot'
          image: image
          resources: { cpu: json('0.5'), memory: '1Gi' }
          env: [
            { name: 'TRUSTLINE_PROFILE', value: 'production' }
            { name: 'MicrosoftAppType', value: 'UserAssignedMSI' }
            { name: 'MicrosoftAppId', value: identity.properties.clientId }
            { name: 'MicrosoftAppTenantId', value: tenantId }
            { name: 'REDIS_URL', value: 'rediss://${redisData.properties.hostName}:${redisData.properties.sslPort}' }
            { name: 'KEYSTORE_REDIS_URL', value: 'rediss://${redisKeys.properties.hostName}:${redisKeys.properties.sslPort}' }
            { name: 'REDIS_USERNAME', value: 'trustline-bot' }
            { name: 'KEYSTORE_REDIS_USERNAME', value: 'trustline-keys' }
            { name: 'DIRECTLINE_TRUSTED_ORIGINS', value: join(trustedOrigins, ',') }
            { name: 'HTTP_TRUSTED_PROXY_HOPS', value: '1' }
            // Keys from Key Vault through the user-assigned identity (Container Apps sets IDENTITY_ENDPOINT/HEADER).
            { name: 'TRUSTLINE_KEY_PROVIDER', value: 'keyvault' }
            { name: 'AZURE_KEYVAULT_URL', value: vault.properties.vaultUri }
            { name: 'AZURE_KEYVAULT_SECRET_PREFIX', value: 'trustline' }
            { name: 'AZURE_KEYVAULT_CLIENT_ID', value: identity.properties.clientId }
            { name: 'REDIS_PASSWORD', secretRef: 'redis-password' }
            { name: 'KEYSTORE_REDIS_PASSWORD', secretRef: 'keystore-redis-password' }
            { name: 'DIRECTLINE_SECRET', secretRef: 'directline-secret' }
            { name: 'METRICS_TOKEN', secretRef: 'metrics-token' }
          ]
          probes: [
            { type: 'Liveness', httpGet: { path: '/healthz', port: 3978 }, periodSeconds: 10 }
            // Stays 200 during a Redis outage (fixed "unavailable" reply instead of losing the instance).
            { type: 'Readiness', httpGet: { path: '/readyz', port: 3978 }, periodSeconds: 5 }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          { name: 'http', http: { metadata: { concurrentRequests: '50' } } }
        ]
      }
    }
  }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${name}-bot'
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'S1' }
  properties: {
    displayName: 'Trustline'
    endpoint: 'https://${publicHost}/api/messages'
    msaAppType: 'UserAssignedMSI'
    msaAppId: identity.properties.clientId
    msaAppMSIResourceId: identity.id
    msaAppTenantId: tenantId
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource directLine 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'DirectLineChannel'
  location: 'global'
  properties: {
    channelName: 'DirectLineChannel'
    properties: {
      sites: [
        {
          siteName: 'web'
          isEnabled: true
          isV1Enabled: false
          isV3Enabled: true
          // Enhanced authentication: tokens are bound to the user id our token endpoint chose, and only the
          // trusted origins may use them.
          isSecureSiteEnabled: true
          trustedOrigins: trustedOrigins
        }
      ]
    }
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      enableCalling: false
    }
  }
}

resource webChat 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'WebChatChannel'
  location: 'global'
  properties: {
    channelName: 'WebChatChannel'
    properties: {
      sites: [
        { siteName: 'Default Site', isEnabled: false, isWebchatPreviewEnabled: false }
      ]
    }
  }
}

output botEndpoint string = bot.properties.endpoint
output containerAppFqdn string = app.properties.configuration.ingress.fqdn
output managedIdentityClientId string = identity.properties.clientId
