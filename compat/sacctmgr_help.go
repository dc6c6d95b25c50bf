package compat

// sacctmgrHelp is what Slurm 22.05.8's sacctmgr prints for --help and "help".
const sacctmgrHelp = `sacctmgr [<OPTION>] [<COMMAND>]                                            
    Valid <OPTION> values are:                                             
     -h or --help: equivalent to "help" command                          
     -i or --immediate: commit changes immediately                         
     -n or --noheader: no header will be added to the beginning of output  
     -o or --oneliner: equivalent to "oneliner" command                  
     -p or --parsable: output will be '|' delimited with a '|' at the end  
     -P or --parsable2: output will be '|' delimited without a '|' at the end
     -Q or --quiet: equivalent to "quiet" command                        
     -r or --readonly: equivalent to "readonly" command                  
     -s or --associations: equivalent to "associations" command          
     -v or --verbose: equivalent to "verbose" command                    
     -V or --version: equivalent to "version" command                    
                                                                           
  <keyword> may be omitted from the execute line and sacctmgr will execute 
  in interactive mode. It will process commands as entered until explicitly
  terminated.                                                              
                                                                           
  Valid <COMMAND> values are:                                              
     add <ENTITY> <SPECS>     add entity                                   
     archive <DUMP/LOAD> <SPECS>                                           
                              Archive past jobs and/or steps, or load them 
                              back into the databse.                       
     associations             when using show/list will list the           
                              associations associated with the entity.     
     clear stats              clear server statistics                      
     delete <ENTITY> <SPECS>  delete the specified entity(s)               
     dump <CLUSTER> [File=<FILENAME>]                                      
                              dump database information of the             
                              specified cluster to the flat file.          
                              Will default to clustername.cfg if no file   
                              is given.                                    
     exit                     terminate sacctmgr                           
     help                     print this description of use.               
     list <ENTITY> [<SPECS>]  display info of identified entity, default   
                              is display all.                              
     load <FILE> [<SPECS>]    read in the file to update the database      
                              with the file contents. <SPECS> here consist 
                              of 'cluster=', and 'clean'.  The 'cluster='  
                              will override the cluster name given in the  
                              file.  The 'clean' option will remove what is
                              already in the system for this cluster and   
                              replace it with the file.  If the clean option
                              is not given only new additions or           
                              modifications will be done, no deletions.    
     modify <ENTITY> <SPECS>  modify entity                                
     oneliner                 report output one record per line.           
     parsable                 output will be | delimited with an ending '|'
     parsable2                output will be | delimited without an ending '|'
     quiet                    print no messages other than error messages. 
     quit                     terminate this command.                      
     readonly                 makes it so no modification can happen.      
     reconfigure              reread the slurmdbd.conf on the DBD.         
     shutdown                 shutdown the server.                         
     show                     same as list                                 
     verbose                  enable detailed logging.                     
     version                  display tool version number.                 
     !!                       Repeat the last command entered.             
                                                                           
  <ENTITY> may be "account", "association", "cluster",               
                  "configuration", "coordinator", "event",           
                  "federation", "job", "problem", "qos",           
                  "resource", "reservation", "runawayjobs", "stats"
                  "transaction", "tres", "user" or "wckey"         
                                                                           
  <SPECS> are different for each command entity pair.                      
       list account       - Clusters=, Descriptions=, Format=,             
                            Names=, Organizations=, Parents=, WithAssoc,   
                            WithDeleted, WithCoordinators, WithRawQOS,     
                            and WOPLimits                                  
       add account        - Clusters=, DefaultQOS=, Description=, Fairshare=,
                            GrpTRESMins=, GrpTRES=, GrpJobs=, GrpMemory=,   
                            GrpNodes=, GrpSubmitJob=, GrpWall=, MaxTRESMins=,
                            MaxTRES=, MaxJobs=, MaxNodes=, MaxSubmitJobs=, 
                            MaxWall=, Names=, Organization=, Parent=,      
                            Priority= and QosLevel=                        
       modify account     - (set options) DefaultQOS=, Description=,       
                            Fairshare=, GrpTRESMins=, GrpTRESRunMins=,       
                            GrpTRES=, GrpJobs=, GrpMemory=, GrpNodes=,     
                            GrpSubmitJob=, GrpWall=, MaxTRESMins=, MaxTRES=,
                            MaxJobs=, MaxNodes=, MaxSubmitJobs=, MaxWall=, 
                            Names=, Organization=, Parent=, and QosLevel=  
                            RawUsage= (with admin privileges only)         
                            (where options) Clusters=, DefaultQOS=,        
                            Descriptions=, Names=, Organizations=,         
                            Parent=,Priority= and QosLevel=                
       delete account     - Clusters=, DefaultQOS=, Descriptions=, Names=, 
                            Organizations=, and Parents=                   
                                                                           
       list associations  - Accounts=, Clusters=, Format=, ID=, OnlyDefaults,
                            Partitions=, Parent=, Tree, Users=,            
                            WithSubAccounts, WithDeleted, WOLimits,        
                            WOPInfo, and WOPLimits                         
                                                                           
       list cluster       - Classification=, DefaultQOS=, Federation=,     
                            Flags=, Format=, Names=, RPC= WithFed and      
                            WOLimits                                       
       add cluster        - DefaultQOS=, Fairshare=, Federation=, FedState=,
                            GrpTRES=, GrpJobs=, GrpMemory=, GrpNodes=,     
                            GrpSubmitJob=, MaxTRESMins=, MaxJobs=,         
                            MaxNodes=, MaxSubmitJobs=, MaxWall=, Name=,    
                            QosLevel= and Weight=                          
       modify cluster     - (set options) DefaultQOS=, Fairshare=,         
                            Federation=, FedState=, GrpTRES=, GrpJobs=,    
                            GrpMemory=, GrpNodes=, GrpSubmitJob=,          
                            MaxTRESMins=, MaxJobs=, MaxNodes=,             
                            MaxSubmitJobs=, MaxWall=, QosLevel= and Weight=
                            (where options) Classification=, Federation=,  
                            Flags=, and Names=                             
       delete cluster     - Classification=, DefaultQOS=, Flags=, and Names=
                                                                           
       add coordinator    - Accounts=, and Names=                          
       delete coordinator - Accounts=, and Names=                          
                                                                           
       list events        - All_Clusters, All_Time, Clusters=, CondFlags=, 
                            End=, Events=, Format=, MaxCPUs=, MinCPUs=,    
                            Nodes=, Reason=, Start=, States=, and User=    
                                                                           
       list federation    - Names=, Format= and Tree                       
       add federation     - Flags=, Clusters= and Name=                    
       modify federation  - (set options) Clusters= and Flags=             
                            (where options) Names=                         
       delete federation  - Names=                                         
                                                                           
       modify job         - (set options) DerivedExitCode=, Comment=,      
                            NewWCKey=                                      
                            (where options) JobID=, Cluster=, EndTime=,    
                            StartTime=, WCKey=, User=                      
                                                                           
       list qos           - Descriptions=, Format=, Id=, Names=,           
                            PreemptMode=, and WithDeleted                  
       add qos            - Description=, Flags=, GraceTime=, GrpJobs=,    
                            GrpSubmitJob=, GrpTRES=, GrpTRESMins=, GrpWall=,
                            MaxJobs=, MaxSubmitJobsPerUser=, MaxTRESMins=, 
                            MaxTRESPerJob=, MaxTRESPerNode=, MaxTRESPerUser=,
                            MaxWall=, Names=, Preempt=, PreemptMode=,      
                            Priority=, UsageFactor=, and UsageThreshold=   
       modify qos         - (set options) Description=, Flags=, GraceTime=,
                            GrpJobs=, GrpSubmitJob=, GrpTRES=, GrpTRESMins=,
                            GrpWall=,
                            MaxJobs=, MaxSubmitJobsPerUser=, MaxTRESMins=, 
                            MaxTRESPerJob=, MaxTRESPerNode=, MaxTRESPerUser=,
                            MaxWall=, Names=, Preempt=, PreemptMode=,      
                            Priority=, RawUsage= (admin only),             
                            UsageFactor=, and UsageThreshold=              
                            (where options) Descriptions=, ID=, Names=     
                            and PreemptMode=                               
       delete qos         - Descriptions=, ID=, Names=, and PreemptMode=   
                                                                           
       list resource      - Clusters=, Descriptions=, Flags=, Format=, Ids=,
                            Names=, PercentAllowed=, ServerType=, Servers=,
                            and WithClusters                               
       add resource       - Clusters=, Count=, Descriptions=, Flags=,      
                            ServerType=, Names=, PercentAllowed=, Server=, 
                            and Type=                                      
       modify resource    - (set options) Count=, Flags=, Manager=,        
                            PercentAllowed=,                               
                            (where options) Clusters=, Names=, Servers=,   
       delete resource    - Clusters=, Names=                              
                                                                           
       list reservation   - Clusters=, End=, ID=, Names=, Nodes=, Start=   
                                                                           
       list runawayjobs   - Cluster=, Format=                              
                                                                           
       clear stats                                                         
       list stats                                                          
                                                                           
       list transactions  - Accounts=, Action=, Actor=, Clusters=, End=,   
                            Format=, ID=, Start=, User=, and WithAssoc     
                                                                           
       list tres          - ID=, Name=, Type=, WithDeleted                 
                                                                           
       list user          - AdminLevel=, DefaultAccount=,                  
                            DefaultWCKey=, Format=, Names=,                
                            QosLevel=, WithAssoc, WithCoordinators,        
                            WithDeleted, WithRawQOS, and WOPLimits         
       add user           - Accounts=, AdminLevel=, Clusters=,             
                            DefaultAccount=, DefaultQOS=, DefaultWCKey=,   
                            Fairshare=, MaxTRESMins=, MaxTRES=,            
                            MaxJobs=, MaxNodes=, MaxSubmitJobs=, MaxWall=, 
                            Names=, Partitions=, Priority= and QosLevel=   
       modify user        - (set options) AdminLevel=, DefaultAccount=,    
                            DefaultQOS=, DefaultWCKey=, Fairshare=,        
                            MaxTRESMins=, MaxTRES=, MaxJobs=, MaxNodes=,   
                            MaxSubmitJobs=, MaxWall=, NewName=,            
                            and QosLevel=,                                 
                            RawUsage= (with admin privileges only)         
                            (where options) Accounts=, AdminLevel=,        
                            Clusters=, DefaultAccount=, Names=,            
                            Partitions=, Priority= and QosLevel=           
       delete user        - Accounts=, AdminLevel=, Clusters=,             
                            DefaultAccount=, DefaultWCKey=, and Names=     
                                                                           
       list wckey         - Clusters=, End=, Format=, ID=, Names=,         
                            Start=, User=, and WithDeleted                 
                                                                           
       archive dump       - Directory=, Events, Jobs,                      
                            PurgeEventAfter=, PurgeJobAfter=,              
                            PurgeStepAfter=, PurgeSuspendAfter=,           
                            Script=, Steps, and Suspend                    
                                                                           
       archive load       - File=, or Insert=                              
                                                                           
  Format options are different for listing each entity pair.               
                                                                           
  One can get an number of characters by following the field option with   
  a %NUMBER option.  i.e. format=name%30 will print 30 chars of field name.
                                                                           
       Account            - Account, Coordinators, Description, Organization
                                                                           
       Association        - Account, Cluster, DefaultQOS, Fairshare,       
                            GrpTRESMins, GrpTRESRunMins, GrpTRES, GrpJobs, 
                            GrpMemory, GrpNodes, GrpSubmitJob, GrpWall,    
                            ID, LFT, MaxTRESMins, MaxTRES,                 
                            MaxJobs, MaxNodes, MaxSubmitJobs, MaxWall, QOS,
                            ParentID, ParentName, Partition, RGT,          
                            User, WithRawQOS                               
                                                                           
       Cluster            - Classification, Cluster, ClusterNodes,         
                            ControlHost, ControlPort, DefaultQOS,          
                            Fairshare, Flags, GrpTRESMins, GrpTRES GrpJobs,
                            GrpMemory, GrpNodes, GrpSubmitJob, MaxTRESMins, 
                            MaxTRES, MaxJobs, MaxNodes, MaxSubmitJobs,     
                            MaxWall, NodeCount, PluginIDSelect, RPC, TRES  
                                                                           
       Event              - Cluster, ClusterNodes, Duration, End,          
                            Event, EventRaw, NodeName, Reason, Start,      
                            State, StateRaw, TRES, User                    
                                                                           
       QOS                - Description, Flags, GraceTime, GrpJobs,        
                            GrpSubmitJob, GrpTRES, GrpTRESMins, GrpWall,   
                            MaxJobs, MaxSubmitJobsPerUser, MaxTRESMins,    
                            MaxTRESPerJob, MaxTRESPerNode, MaxTRESPerUser, 
                            MaxWall, Name, Preempt, PreemptMode,           
                            Priority, UsageFactor, UsageThreshold          
                                                                           
       Resource           - Cluster, Count, CountAllowed, CountUsed,       
                            Description, Flags, Manager, Name,             
                            PercentAllowed, PercentUsed, Server, Type      
                                                                           
       Reservation        - Assoc, Cluster, End, Flags, ID, Name,          
                            NodeNames, Start, TRES, UnusedWall             
                                                                           
       RunAwayJobs        - Cluster, ID, Name, Partition, State,           
                            TimeStart, TimeEnd                             
                                                                           
       Transactions       - Action, Actor, Info, TimeStamp, Where          
                                                                           
       TRES               - ID, Name, Type                                 
                                                                           
       User               - AdminLevel, Coordinators, DefaultAccount,      
                            DefaultWCKey, User                             
                                                                           
       WCKey              - Cluster, ID, Name, User                        
                                                                           
       Account/User WithAssoc option will also honor                       
       all of the options for Association.                                 
                                                                           
                                                                           
  All commands entitys, and options are case-insensitive.               

`

// sshareHelp is what Slurm 22.05.8's sshare prints for --help and --usage.
const sshareHelp = `Usage:  sshare [OPTION]                                                    
  Valid OPTIONs are:                                                       
    -a or --all            list all users                                  
    -A or --accounts=      display specific accounts (comma separated list)
    -e or --helpformat     Print a list of fields that can be specified    
                           with the '--format' option                      
    -l or --long           include normalized usage in output              
    -m or --partition      print the partition part of the association     
    -M or --cluster=names  clusters to issue commands to.                  
                           NOTE: SlurmDBD must be up.                      
    -n or --noheader       omit header from output                         
    -o or --format=        Comma separated list of fields (use             
                           "--helpformat" for a list of available fields).
    -p or --parsable       '|' delimited output with a trailing '|'        
    -P or --parsable2      '|' delimited output without a trailing '|'     
    -u or --users=         display specific users (comma separated list)   
    -U or --Users          display only user information                   
    -v or --verbose        display more information                        
    -V or --version        display tool version number                     
          --help           display this usage description                  
          --usage          display this usage description                  
                                                                           

`
