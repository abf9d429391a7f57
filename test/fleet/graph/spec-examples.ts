// The example payloads of shared/spec/graph-teamwork-api.md §13 (and the documented variants
// its Ambiguities section lists), as the adapter's tests feed them.

export const devicePage = {
  '@odata.context': 'https://graph.microsoft.com/beta/$metadata#teamwork/devices',
  '@odata.nextLink': 'https://graph.microsoft.com/beta/teamwork/devices?$top=2&$skiptoken=c2tpcD0yO2VtdWxhdG9yLXBhZ2UtMg',
  value: [
    {
      '@odata.type': '#microsoft.graph.teamworkDevice',
      id: '7b1e3c52-9a4d-4f0e-8c21-5d6a0e4b9f11',
      deviceType: 'teamsRoom',
      hardwareDetail: { serialNumber: 'SN-MTR-004417', uniqueId: 'mtr-lisbon-3a', macAddresses: ['00:1A:2B:3C:4D:5E'], manufacturer: 'lenovo', model: 'ThinkSmart Core' },
      notes: 'Lisbon office, room 3A',
      companyAssetTag: 'IT-00417',
      healthStatus: 'nonUrgent',
      activityState: 'idle',
      createdDateTime: '2024-11-04T08:15:30.112Z',
      createdBy: null,
      lastModifiedDateTime: '2025-05-21T16:02:11.904Z',
      lastModifiedBy: null,
      currentUser: { id: 'c0b7f6a2-3d1e-4b8a-9f50-2e6d7c8b9a01', displayName: 'Room 3A Lisbon', userIdentityType: 'aadUser' },
    },
    {
      '@odata.type': '#microsoft.graph.teamworkDevice',
      id: 'e4d2a9f0-6b3c-4c7d-b1e8-0a9f8e7d6c55',
      deviceType: 'ipPhone',
      hardwareDetail: { serialNumber: 'YL-T58-99120', uniqueId: 'phone-rec-desk-01', macAddresses: [], manufacturer: 'yealink', model: 'MP58' },
      notes: null,
      companyAssetTag: null,
      healthStatus: 'healthy',
      activityState: 'busy',
      createdDateTime: '2025-01-13T10:00:00Z',
      createdBy: null,
      lastModifiedDateTime: '2025-01-13T10:00:00Z',
      lastModifiedBy: null,
      currentUser: null,
    },
  ],
};

const connected = { connectionStatus: 'connected', lastModifiedDateTime: '2025-05-21T16:00:00Z' };

export const healthDocument = {
  '@odata.context': "https://graph.microsoft.com/beta/$metadata#teamwork/devices('7b1e3c52-9a4d-4f0e-8c21-5d6a0e4b9f11')/health/$entity",
  '@odata.type': '#microsoft.graph.teamworkDeviceHealth',
  id: '7b1e3c52-9a4d-4f0e-8c21-5d6a0e4b9f11',
  connection: connected,
  loginStatus: { exchangeConnection: connected, teamsConnection: connected, skypeConnection: { connectionStatus: 'unknown', lastModifiedDateTime: '2025-05-21T16:00:00Z' } },
  peripheralsHealth: { roomCameraHealth: { isOptional: false, connection: connected }, displayHealthCollection: [{ isOptional: false, connection: connected }] },
  softwareUpdateHealth: {
    adminAgentSoftwareUpdateStatus: { softwareFreshness: 'latest', currentVersion: '2025.3.1.4', availableVersion: null },
    companyPortalSoftwareUpdateStatus: null,
    firmwareSoftwareUpdateStatus: { softwareFreshness: 'unknown', currentVersion: null, availableVersion: null },
    operatingSystemSoftwareUpdateStatus: { softwareFreshness: 'updateAvailable', currentVersion: '10.0.19045.4412', availableVersion: '10.0.19045.5247' },
    partnerAgentSoftwareUpdateStatus: { softwareFreshness: 'latest', currentVersion: '1.9.2', availableVersion: null },
    teamsClientSoftwareUpdateStatus: { softwareFreshness: 'updateAvailable', currentVersion: '5.2.115.0', availableVersion: '5.3.88.0' },
  },
  hardwareHealth: { computeHealth: { isOptional: false, connection: connected } },
  createdDateTime: '2024-11-04T08:15:30.112Z',
  lastModifiedDateTime: '2025-05-21T16:02:11.904Z',
  createdBy: null,
  lastModifiedBy: null,
};

const app = { application: { id: '5f0c9d1e-2a3b-4c5d-8e7f-6a5b4c3d2e1f', displayName: 'Device Fleet Tool' }, device: null, user: null };

export const operations = {
  queued: {
    '@odata.type': '#microsoft.graph.teamworkDeviceOperation', id: '3f9a2b7c-1d4e-4a6b-8c0d-9e8f7a6b5c41', operationType: 'softwareUpdate', status: 'queued',
    error: null, startedDateTime: null, completedDateTime: null, createdDateTime: '2025-05-21T16:05:00Z', lastActionDateTime: '2025-05-21T16:05:00Z', createdBy: app, lastActionBy: app,
  },
  scheduled: {
    '@odata.type': '#microsoft.graph.teamworkDeviceOperation', id: 'a1c2e3f4-0b9d-4e8c-a7b6-c5d4e3f2a1b0', operationType: 'softwareUpdate', status: 'scheduled',
    error: null, startedDateTime: null, completedDateTime: null, createdDateTime: '2025-05-21T16:06:00Z', lastActionDateTime: '2025-05-21T16:07:10Z', createdBy: null, lastActionBy: null,
  },
  inProgress: {
    '@odata.type': '#microsoft.graph.teamworkDeviceOperation', id: '3f9a2b7c-1d4e-4a6b-8c0d-9e8f7a6b5c41', operationType: 'softwareUpdate', status: 'inProgress',
    error: null, startedDateTime: '2025-05-21T16:09:30Z', completedDateTime: null, createdDateTime: '2025-05-21T16:05:00Z', lastActionDateTime: '2025-05-21T16:09:30Z', createdBy: null, lastActionBy: null,
  },
  successful: {
    '@odata.type': '#microsoft.graph.teamworkDeviceOperation', id: '9d8c7b6a-5f4e-4d3c-9b2a-1f0e9d8c7b6a', operationType: 'deviceRestart', status: 'successful',
    error: null, startedDateTime: '2025-05-21T15:00:04Z', completedDateTime: '2025-05-21T15:03:41Z', createdDateTime: '2025-05-21T15:00:00Z', lastActionDateTime: '2025-05-21T15:03:41Z', createdBy: null, lastActionBy: null,
  },
  failed: {
    '@odata.type': '#microsoft.graph.teamworkDeviceOperation', id: '0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b', operationType: 'deviceDiagnostics', status: 'failed',
    error: { code: 'DeviceOffline', message: 'The device did not respond before the operation timed out.' },
    startedDateTime: '2025-05-20T11:00:02Z', completedDateTime: '2025-05-20T11:30:02Z', createdDateTime: '2025-05-20T11:00:00Z', lastActionDateTime: '2025-05-20T11:30:02Z', createdBy: null, lastActionBy: null,
  },
  cancelled: {
    '@odata.type': '#microsoft.graph.teamworkDeviceOperation', id: '6b5a4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d', operationType: 'softwareUpdate', status: 'cancelled',
    error: null, startedDateTime: null, completedDateTime: '2025-05-19T08:20:00Z', createdDateTime: '2025-05-19T08:00:00Z', lastActionDateTime: '2025-05-19T08:20:00Z', createdBy: null, lastActionBy: null,
  },
} as const;

export const errors = {
  notFound: { error: { code: 'itemNotFound', message: 'No device matches id 00000000-0000-0000-0000-000000000000.', innerError: { date: '2025-05-21T16:10:03', 'request-id': '4c2b9e1d' } } },
  conflict: { error: { code: 'Conflict', message: 'An operation of this type is already queued for the device.', innerError: { date: '2025-05-21T16:05:02' } } },
  throttled: { error: { code: 'TooManyRequests', message: 'Please retry again later.', innerError: { code: '429', status: '429', message: 'Please retry after', date: '2025-05-21T16:11:00' } } },
  unauthorized: { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' } },
  server: { error: { code: 'generalException', message: 'An internal error occurred.' } },
};
